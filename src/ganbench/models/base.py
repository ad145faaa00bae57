"""What every GAN family's TensorFlow module shares: the optimizers, the on-device data, the
sampling of a generator, and the contracts a family implements.

A family's module (`models/<family>/model.py`) provides what `FamilyModule` declares. Its
model subclasses `GanModel`, builds its networks and optimizers in `__init__`, and writes
`train_step`, which reads top to bottom like the seed's algorithm box. The shared loop in
`ganbench.training.loop` compiles that step once and drives it; nothing here knows about files.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganbench.data.splits import Dataset
from ganbench.models.settings import AdamParams, RMSPropParams, ScheduleParams
from ganbench.plumbing import pictures
from ganbench.plumbing.schema import NUM_CLASSES

SAMPLE_SEED = 1234  # fixed noise for sample grids, as the seeds reuse one noise batch


class Reporter(Protocol):
    """What the training stage offers a family for work beyond the shared loop (the SGAN
    baseline): a tracked run of its own, and a slot in models/<gan>/ for extra networks."""

    def run(self, name: str, tags: dict[str, str]) -> AbstractContextManager[Any]: ...

    def save_model(self, model: keras.Model, name: str) -> None: ...


def adam(p: AdamParams) -> keras.optimizers.Adam:
    return keras.optimizers.Adam(
        learning_rate=p.lr, beta_1=p.beta1, beta_2=p.beta2, epsilon=p.epsilon
    )


class Keras2RMSprop(keras.optimizers.RMSprop):
    """RMSprop as Keras 2 steps it: v <- rho v + (1 - rho) g², w <- w - lr g / (√v + ε)."""

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        velocity = self._velocities[self._get_variable_index(variable)]
        self.assign(
            velocity,
            ops.add(
                ops.multiply(self.rho, velocity), ops.multiply(1 - self.rho, ops.square(gradient))
            ),
        )
        step = ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(velocity), self.epsilon))
        self.assign_sub(variable, step)


def rmsprop(p: RMSPropParams) -> keras.optimizers.RMSprop:
    kind = Keras2RMSprop if p.epsilon_outside_sqrt else keras.optimizers.RMSprop
    return kind(learning_rate=p.lr, rho=p.rho, epsilon=p.epsilon)


def scale_images(images: np.ndarray, pixel_range: str) -> np.ndarray:
    """uint8 N x 28 x 28 -> float32 N x 28 x 28 x 1 in [-1, 1] ('symmetric') or [0, 1]."""
    x = images.astype(np.float32)
    x = (x - 127.5) / 127.5 if pixel_range == "symmetric" else x / 255.0
    return x[..., np.newaxis]


def unscale_images(images: np.ndarray, pixel_range: str) -> np.ndarray:
    """Generator output -> float in [0, 1] for display and metrics."""
    x = np.asarray(images, dtype=np.float32)
    x = (x + 1.0) / 2.0 if pixel_range == "symmetric" else x
    return np.clip(x, 0.0, 1.0)


def sample_noise(rng: tf.random.Generator, shape: tuple[int, ...], kind: str) -> tf.Tensor:
    """The seed's latent distribution: N(0,1), U(-1,1) or U(0,1)."""
    if kind == "normal":
        return rng.normal(shape)
    if kind == "uniform_symmetric":
        return rng.uniform(shape, -1.0, 1.0)
    return rng.uniform(shape, 0.0, 1.0)


def sample_rows(rng: tf.random.Generator, data: tf.Tensor, batch_size: int) -> tf.Tensor:
    """Rows drawn uniformly with replacement, as the seeds' np.random.randint does."""
    idx = rng.uniform((batch_size,), 0, tf.shape(data, out_type=tf.int64)[0], dtype=tf.int64)
    return tf.gather(data, idx)


def full_precision(x: tf.Tensor) -> tf.Tensor:
    """A bfloat16 (or float16) tensor in float32, for the losses under mixed precision; a
    float32 or float64 tensor as it is."""
    return tf.cast(x, tf.float32) if x.dtype in (tf.bfloat16, tf.float16) else x


def bce_logits(targets: float | tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Mean binary cross-entropy of sigmoid(logits) against targets, from logits.

    Same loss as Keras' 'binary_crossentropy' on a sigmoid output, without its clipping.
    """
    logits = full_precision(logits)
    targets = tf.broadcast_to(tf.cast(targets, logits.dtype), tf.shape(logits))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(targets, logits))


def apply(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss, variables) -> None:
    """One optimizer update of `variables` from the tape's gradient of `loss`."""
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables, strict=True))


@dataclass(frozen=True)
class Sampler:
    """Draws samples from a generator network the way its family feeds it: the noise, the
    class input of a conditional generator, batch norm's mode, the output's range. Used by
    training (sample grids, evaluations), by evaluation and by `ganbench sample`, on the
    family's own generator or on one loaded from a file."""

    network: keras.Model
    latent_shape: tuple[int, ...]  # one noise vector: (z_dim,) or the 1-D GAN's (100,)
    noise: str
    pixel_range: str | None  # None: raw values (the 1-D GAN), no image scaling
    conditional: bool = False  # inputs [z, class]; classes cycle 0..9 unless given
    batch_statistics: bool = False  # batch norm from each batch's own statistics
    batch_size: int | None = 500  # None: Keras's default predict batch

    def spec(self) -> dict[str, Any]:
        """Everything but the network: what a saved generator needs to be sampled again
        (stored with its MLflow Model)."""
        return {
            "latent_shape": list(self.latent_shape),
            "noise": self.noise,
            "pixel_range": self.pixel_range,
            "conditional": self.conditional,
            "batch_statistics": self.batch_statistics,
            "batch_size": self.batch_size,
        }

    @classmethod
    def from_spec(cls, network: keras.Model, spec: dict[str, Any]) -> Sampler:
        return cls(network, **{**spec, "latent_shape": tuple(spec["latent_shape"])})

    def input_example(self, count: int = 2) -> Any:
        """A small batch of the generator's inputs, as an MLflow Model's example."""
        z = self.latent(count, seed=0).numpy()
        if not self.conditional:
            return z
        return {"noise": z, "label": (np.arange(count) % NUM_CLASSES)[:, None].astype(np.int32)}

    def latent(self, count: int, seed: int) -> tf.Tensor:
        rng = tf.random.Generator.from_seed(seed)
        return sample_noise(rng, (count, *self.latent_shape), self.noise)

    def generate(self, count: int, seed: int, classes: np.ndarray | None = None) -> np.ndarray:
        """`count` samples from fixed noise; images in [0, 1]."""
        z = self.latent(count, seed)
        if self.conditional:
            wanted = np.arange(count) % NUM_CLASSES if classes is None else classes
            inputs = [z, np.asarray(wanted, np.int32)[:, None]]
            out = self.network.predict(inputs, batch_size=self.batch_size, verbose=0)
        elif self.batch_statistics:
            step = self.batch_size or count
            parts = [self.network(z[i : i + step], training=True) for i in range(0, count, step)]
            out = tf.concat(parts, axis=0).numpy()
        else:
            out = self.network.predict(z, batch_size=self.batch_size, verbose=0)
        return out if self.pixel_range is None else unscale_images(out, self.pixel_range)


class GanModel(abc.ABC):
    """One GAN family's networks, optimizers and compiled step."""

    #: pixel range of generated images ("symmetric" or "unit"); None for non-image families
    pixel_range: str | None = None

    def __init__(self, schedule: ScheduleParams):
        self.schedule = schedule
        # Device-side random stream for batches and noise; its state is checkpointed.
        self.rng = tf.random.Generator.from_seed(schedule.seed)

    @abc.abstractmethod
    def networks(self) -> dict[str, keras.Model]:
        """Every network, by name; all are checkpointed, `exported()` ones are saved."""

    @abc.abstractmethod
    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Every optimizer, by name (built before training so their state can be restored)."""

    @abc.abstractmethod
    def train_step(self) -> dict[str, tf.Tensor]:
        """All of the seed's updates for one iteration; returns scalar losses by name."""

    @abc.abstractmethod
    def sampler(self) -> Sampler:
        """The generator as it is now, with the family's way of feeding it."""

    def generate(self, count: int, seed: int) -> np.ndarray:
        """`count` generator outputs in display range, from a fixed seed (inference mode)."""
        return self.sampler().generate(count, seed)

    def save_samples(self, path: Path, step: int, caption: str) -> None:
        """A 4 x 4 grid from fixed noise, so grids at different steps are comparable;
        `caption` names the step in the family's own unit ("epoch 40")."""
        pictures.image_grid(self.generate(16, SAMPLE_SEED), path, 4, caption)

    def exported(self) -> dict[str, keras.Model]:
        """Networks written to models/<gan>/ at the end (the generator by default)."""
        return {"generator": self.networks()["generator"]}

    def after_training(self, dataset: Dataset | None, report: Reporter) -> dict[str, Any]:
        """Figures only the family can compute once trained (its classifier's accuracy, a
        baseline trained beside it), merged into metrics/train/<gan>.json."""
        return {}

    def build_optimizers(self, owners: dict[str, list[tf.Variable]]) -> None:
        """Create optimizer slots now, so a checkpoint can be restored before the first step."""
        for name, optimizer in self.optimizers().items():
            optimizer.build(owners[name])

    def state_variables(self) -> list[tf.Variable]:
        """Everything a resumed run needs (weights, BatchNorm statistics, dropout seed state,
        optimizer slots, the random stream), each once, in a stable order."""
        variables: list = []
        for network in self.networks().values():
            variables.extend(network.variables)
        for optimizer in self.optimizers().values():
            variables.extend(optimizer.variables)
        variables.append(self.rng.state)
        unique: dict[int, object] = {}
        for variable in variables:
            unique.setdefault(id(variable), variable)
        return list(unique.values())


class FamilyModule(Protocol):
    """What a family's TensorFlow module provides (the registry record names the module)."""

    def build_networks(self, config: Any) -> dict[str, keras.Model]:
        """Every network, untrained, built in the order training builds them: after the same
        seeding the generator starts with the same weights."""
        ...

    def create(self, config: Any, dataset: Dataset | None, prepared_dir: Path) -> GanModel:
        """The model ready to train on the dataset (and labelled subset) configured."""
        ...

    def sampler(self, config: Any, generator: keras.Model) -> Sampler:
        """How `generator` (the family's, trained or not) is sampled."""
        ...


class SupervisedBaseline(Protocol):
    """A semi-supervised family whose classifier network is also trained supervised alone,
    on the same labels: the study's `supervised` method and its all-labels ceiling."""

    def train_baseline(
        self, config: Any, images: np.ndarray, labels: np.ndarray
    ) -> tuple[keras.Model, list[float]]: ...


class ImageGan(GanModel):
    """A GAN over the training images with an unconditional generator z -> image."""

    generator: keras.Model

    def __init__(
        self, schedule: ScheduleParams, pixel_range: str, z_dim: int, noise: str, images: np.ndarray
    ):
        super().__init__(schedule)
        self.pixel_range = pixel_range
        self.z_dim = z_dim
        self.noise_kind = noise
        self.images = tf.constant(images)

    def noise(self, n: int) -> tf.Tensor:
        return sample_noise(self.rng, (n, self.z_dim), self.noise_kind)

    def real_batch(self, n: int) -> tf.Tensor:
        return sample_rows(self.rng, self.images, n)

    def sampler(self) -> Sampler:
        return image_sampler(self.generator, self.z_dim, self.noise_kind, self.pixel_range)


def image_sampler(generator: keras.Model, z_dim: int, noise: str, pixel_range: str) -> Sampler:
    return Sampler(generator, (z_dim,), noise, pixel_range)


class SemiSupervisedGan(ImageGan):
    """An image GAN whose discriminator is also a classifier of the labelled classes."""

    labelled_x: tf.Tensor
    labelled_y: tf.Tensor
    discriminator: keras.Model

    def __init__(
        self,
        config: Any,
        labelled_x: np.ndarray,
        labelled_y: np.ndarray,
        unlabelled_x: np.ndarray,
        build_networks: Callable[[Any], dict[str, keras.Model]],
    ):
        """The GAN's real images are the unlabelled pool (the seed's batch_unlabeled); the
        labelled subset feeds the supervised loss. The networks are built after the data is
        on the device, in the order training has always built them."""
        super().__init__(
            config.schedule, config.pixel_range, config.z_dim, config.noise, unlabelled_x
        )
        self.config = config
        self.labelled_x = tf.constant(labelled_x)
        self.labelled_y = tf.constant(labelled_y.astype(np.int32))
        nets = build_networks(config)
        self.generator, self.discriminator = nets["generator"], nets["discriminator"]

    @abc.abstractmethod
    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        """The classifier's class for each image (scaled to the family's pixel range)."""

    def classifier_report(self, dataset: Dataset) -> dict[str, Any]:
        """Test accuracy (and errors, the paper's unit) with per-class accuracy and the
        confusion matrix, of the classifier the family is trained to produce."""
        from ganbench.evaluation import classification

        predicted = self.predict_classes(scale_images(dataset.x_test, self.pixel_range))
        report = classification.accuracy_report(dataset.y_test, predicted)
        return {
            "test_accuracy": report["accuracy"],
            "test_errors": int(np.sum(predicted != dataset.y_test)),
            "test_count": len(predicted),
            "classifier": report,
        }


class TwoOptimizerGan(ImageGan):
    """A generator and a discriminator with one Adam each, as DCGAN and ACGAN compile them."""

    discriminator: keras.Model

    def attach(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        optimizer_d: AdamParams,
        optimizer_g: AdamParams,
    ) -> None:
        """Install the networks (built by the family, in the family's order) and optimizers."""
        self.generator = generator
        self.discriminator = discriminator
        self.opt_d = adam(optimizer_d)
        self.opt_g = adam(optimizer_g)
        self.build_optimizers(
            {
                "discriminator": discriminator.trainable_variables,
                "generator": generator.trainable_variables,
            }
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"discriminator": self.opt_d, "generator": self.opt_g}
