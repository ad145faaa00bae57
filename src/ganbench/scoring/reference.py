"""The reference classifier: the feature space of the FID-style metrics and the judge of
class-conditional samples.

No pretrained network can be downloaded here, so the pipeline trains its own: a small
LeNet-style CNN on the full training set, seeded and deterministic. Its penultimate layer
(`features`) plays the role Inception's pool layer plays in FID. Numbers computed with it are
comparable only under the same weights, so every metrics file records `weights_hash`.

Training is bit-reproducible on one machine kind but not across kinds (AVX2 and AVX-512
give different weights), so the yardstick is pinned: one trained network per dataset lives
in the repository (references/<dataset>/), with its hash in pin.json, checked on every load.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import keras
import numpy as np
from keras import layers

from ganbench.config.params import ReferenceParams
from ganbench.plumbing.errors import ReferenceError
from ganbench.plumbing.schema import NUM_CLASSES

FEATURE_LAYER = "features"
MODEL_FILE = "classifier.keras"
PIN_RECORD = "pin.json"


def unit_images(images: np.ndarray) -> np.ndarray:
    """uint8 N x 28 x 28 -> float32 N x 28 x 28 x 1 in [0, 1], the reference's input range."""
    return (np.asarray(images, np.float32) / 255.0)[..., np.newaxis]


def build(p: ReferenceParams) -> keras.Model:
    """[Conv -> (BN) -> ReLU -> MaxPool]* -> Flatten -> Dense(features, ReLU) -> Dropout ->
    softmax."""
    inputs = keras.Input((28, 28, 1))
    h = inputs
    for filters in p.filters:
        h = layers.Conv2D(filters, p.kernel, use_bias=not p.batch_norm)(h)
        if p.batch_norm:
            h = layers.BatchNormalization()(h)
        h = layers.Activation("relu")(h)
        h = layers.MaxPooling2D()(h)
    h = layers.Flatten()(h)
    h = layers.Dense(p.feature_units, activation="relu", name=FEATURE_LAYER)(h)
    h = layers.Dropout(p.dropout)(h)
    outputs = layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities")(h)
    return keras.Model(inputs, outputs, name="reference")


def train(
    p: ReferenceParams, images: np.ndarray, labels: np.ndarray
) -> tuple[keras.Model, list[float]]:
    """Fit on unit-range images; returns the model and the per-epoch training loss."""
    model = build(p)
    steps = p.epochs * -(-len(images) // p.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(
        p.optimizer.lr, decay_steps=steps, alpha=p.final_lr / p.optimizer.lr
    )
    optimizer = keras.optimizers.Adam(
        learning_rate=schedule,
        beta_1=p.optimizer.beta1,
        beta_2=p.optimizer.beta2,
        epsilon=p.optimizer.epsilon,
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    history = model.fit(
        images, labels, batch_size=p.batch_size, epochs=p.epochs, shuffle=True, verbose=2
    )
    return model, [float(v) for v in history.history["loss"]]


class ReferenceNetwork:
    """A trained reference model, read for features and class probabilities together."""

    def __init__(self, model: keras.Model):
        self.model = model
        self.both = keras.Model(
            model.inputs, [model.get_layer(FEATURE_LAYER).output, model.outputs[0]]
        )
        self.weights_hash = weights_hash(model)

    def features_and_probabilities(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Penultimate activations and softmax outputs (float64) of unit-range images."""
        features, probabilities = self.both.predict(images, batch_size=1000, verbose=0)
        return features.astype(np.float64), probabilities.astype(np.float64)

    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        return np.argmax(self.model.predict(images, batch_size=1000, verbose=0), axis=-1)


def weights_hash(model: keras.Model) -> str:
    """SHA-256 over every weight's shape and bytes, in layer order (first 16 hex digits)."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        array = np.ascontiguousarray(weight)
        digest.update(repr(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:16]


def pinned_paths(directory: Path, dataset: str) -> tuple[Path, Path]:
    """(model file, pin record) of `dataset`'s pinned network under `directory`."""
    return directory / dataset / MODEL_FILE, directory / dataset / PIN_RECORD


def load_pinned(directory: Path, dataset: str) -> tuple[keras.Model, dict[str, Any]]:
    """The pinned network and its record; refused unless its weights hash is the pinned one."""
    model_path, record_path = pinned_paths(directory, dataset)
    for path in (model_path, record_path):
        if not path.is_file():
            raise ReferenceError(
                f"{path}: no pinned reference network for {dataset}; pin one with "
                "`ganbench pin-reference` (see README, Evaluation)"
            )
    record = json.loads(record_path.read_text())
    model = keras.models.load_model(model_path, compile=False)
    actual = weights_hash(model)
    if actual != record["weights_hash"]:
        raise ReferenceError(
            f"{model_path}: weights hash {actual}, expected {record['weights_hash']} "
            f"(pinned in {record_path})"
        )
    return model, record


def pin(
    model: keras.Model, directory: Path, dataset: str, record: dict[str, Any]
) -> dict[str, Any]:
    """Replace `dataset`'s pinned network by `model` (weights only: no optimizer state) and
    its record; returns the record, which carries the new weights hash."""
    from ganbench.plumbing import atomic

    bare = keras.models.clone_model(model)
    bare.set_weights(model.get_weights())
    record = {"dataset": dataset, "weights_hash": weights_hash(bare), **record}
    with atomic.staged_dir(directory / dataset) as staging:
        bare.save(staging / MODEL_FILE)
        atomic.write_json(staging / PIN_RECORD, record)
    return record
