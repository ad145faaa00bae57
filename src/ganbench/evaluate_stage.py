"""DVC stage `evaluate@<gan>`: score one trained generator against real data.

Every image family gets the same metrics in the reference network's feature space (FID-style,
KID, precision/recall/density/coverage, classifier score) plus the pixel-intensity
comparison, each beside its floor (real test images against the real set: what a perfect
generator would score) and its ceiling (the same family's untrained generator). The 1-D GAN
gets moments and distances to its target distribution. ACGAN adds conditional accuracy, SGAN
the accuracies of its classifier and of the supervised baseline, SGAN-FM its classifier's.

All numbers are computed before MLflow is touched; they are then logged, under the same
names for every family, to the GAN's training run, and written to metrics/<gan>.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ganbench import atomic, params, reference, scoring, stage_outputs, tracking, training
from ganbench.data import prepare
from ganbench.evaluation import classification, distributions
from ganbench.models import registry
from ganbench.models.base import scale_images
from ganbench.params import NUM_CLASSES, checked, positive


@dataclass(frozen=True)
class EvaluateParams:
    samples: int = checked(positive)  # generated samples per evaluation
    real_samples: int = checked(positive)  # training images forming the real set
    seed: int  # noise of the generated samples and every random subset
    kid_subsets: int = checked(positive)
    kid_subset_size: int = checked(positive)
    nearest_k: int = checked(positive)
    # Evaluation during training (schedule.evaluate_every): generated images per point,
    # scored against as many training images, and KID subsets (of kid_subset_size).
    progress_samples: int = checked(positive)
    progress_kid_subsets: int = checked(positive)


@dataclass(frozen=True)
class EvaluatePaths:
    prepared: Path = Path("data/prepared")
    models: Path = Path("models")
    train_metrics: Path = Path("metrics/train")
    metrics: Path = Path("metrics")
    reference: Path = Path("models/reference/classifier.keras")


def load_reference(paths: EvaluatePaths) -> reference.ReferenceNetwork:
    path = stage_outputs.require(paths.reference, "reference")
    return reference.ReferenceNetwork(keras.models.load_model(path))


def image_metrics(
    yardstick: scoring.Yardstick, generated: np.ndarray, untrained: np.ndarray
) -> tuple[dict[str, Any], scoring.ImageSet]:
    """Generated images scored against the real set, with floor and ceiling rows computed
    the same way."""
    scored, candidate = yardstick.score(generated)
    metrics = {
        **scored,
        "classifier_score_max": float(NUM_CLASSES),
        "real": yardstick.real_pixel_moments(),
        "floor": yardstick.floor(),
        "untrained": yardstick.score(untrained)[0],
    }
    return metrics, candidate


def gan1d_metrics(model: Any, untrained: Any, config: Any, p: EvaluateParams) -> dict[str, Any]:
    """Generated values against N(target_mean, target_std²), with the input noise as the
    'before' row, a fresh target sample as the floor and the untrained generator as ceiling."""
    mean, std = config.target_mean, config.target_std
    generated, noise = model.generate_with_noise(p.samples, p.seed)
    target = np.random.default_rng(p.seed).normal(mean, std, generated.shape)
    return {
        **distributions.compare_to_normal(generated, mean, std),
        "target_mean": mean,
        "target_std": std,
        "noise": distributions.compare_to_normal(noise, mean, std),
        "floor": distributions.compare_to_normal(target, mean, std),
        "untrained": distributions.compare_to_normal(untrained, mean, std),
    }


# The networks each semi-supervised family's train stage saves beside its generator: its
# classifier, and for the seed SGAN the supervised baseline trained in the same stage.
CLASSIFIERS = {"sgan": ("classifier", "baseline"), "sgan_fm": ("classifier",)}


def classifier_metrics(
    gan: str, models_dir: Path, config: Any, dataset: prepare.Dataset
) -> dict[str, Any]:
    """The GAN's classifier on the test set, and the supervised baseline beside it if any."""
    x_test = scale_images(dataset.x_test, config.pixel_range)
    reports = {}
    for name in CLASSIFIERS[gan]:
        model = keras.models.load_model(
            stage_outputs.require(models_dir / f"{name}.keras", f"train@{gan}")
        )
        predicted = np.argmax(model.predict(x_test, batch_size=1000, verbose=0), axis=-1)
        reports[name] = classification.accuracy_report(dataset.y_test, predicted)
    confusion = np.asarray(reports["classifier"]["confusion_matrix"])
    metrics = {
        "test_accuracy": reports["classifier"]["accuracy"],
        "test_errors": int(confusion.sum() - np.trace(confusion)),  # the paper's unit
        "test_count": int(confusion.sum()),
        f"{gan}_classifier": reports["classifier"],
    }
    if "baseline" in reports:
        metrics["baseline_test_accuracy"] = reports["baseline"]["accuracy"]
        metrics["accuracy_difference"] = metrics["test_accuracy"] - reports["baseline"]["accuracy"]
        metrics["supervised_baseline"] = reports["baseline"]
    return metrics


def loggable(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    """Scalar metrics flattened for MLflow: nested rows become `<row>_<name>`."""
    flat: dict[str, float] = {}
    for key, value in metrics.items():
        if isinstance(value, dict):
            flat.update(loggable(value, f"{prefix}{key}_"))
        elif isinstance(value, float | int) and not isinstance(value, bool):
            flat[f"{prefix}{key}"] = float(value)
    return flat


def evaluate(gan: str, config_all: params.Params, paths: EvaluatePaths) -> dict[str, Any]:
    """Compute every metric of one GAN (no tracking, no files written)."""
    p: EvaluateParams = config_all.section("evaluate")
    config = config_all.section(gan)
    module = registry.module(gan)
    family = registry.family(gan)
    models_dir = paths.models / gan
    generator_path = stage_outputs.require(models_dir / "generator.keras", f"train@{gan}")
    dataset = prepare.load(paths.prepared, config_all.data.dataset) if family.images else None

    training.set_determinism(config.schedule.seed, xla=False)
    model = module.create(config, dataset, paths.prepared)  # untrained: the ceiling
    untrained = model.generate(p.samples, p.seed)
    model.generator = keras.models.load_model(generator_path)
    if dataset is None:
        return {"gan": gan, **gan1d_metrics(model, untrained, config, p)}

    yardstick = scoring.Yardstick.build(load_reference(paths), dataset, p)
    generated = model.generate(p.samples, p.seed)
    scored, candidate = image_metrics(yardstick, generated, untrained)
    metrics = {
        "gan": gan,
        "samples": p.samples,
        "reference_weights_hash": yardstick.weights_hash,
        **scored,
    }
    if gan == "acgan":  # ACGAN.generate cycles the requested classes 0..9
        requested = np.arange(len(generated)) % NUM_CLASSES
        metrics.update(yardstick.conditional(candidate, requested))
    if gan in CLASSIFIERS:
        metrics.update(classifier_metrics(gan, models_dir, config, dataset))
    return metrics


def run(
    gan: str, params_path: str = "params.yaml", paths: EvaluatePaths | None = None
) -> dict[str, Any]:
    """Evaluate `gan`, log the metrics to its training run, write metrics/<gan>.json."""
    started = time.perf_counter()
    paths = paths or EvaluatePaths()
    config_all = params.load(params_path)
    registry.module(gan)  # an unknown name fails before anything is loaded
    train_metrics = stage_outputs.read_json(paths.train_metrics / f"{gan}.json", f"train@{gan}")
    training_run_id = train_metrics["mlflow_run_id"]
    tracking.connect()
    metrics = evaluate(gan, config_all, paths)
    tags = {"evaluated_by": tracking.git_commit()}
    if "reference_weights_hash" in metrics:
        tags["reference_weights_hash"] = metrics["reference_weights_hash"]
    tracking.add_to_run(training_run_id, loggable(metrics), tags)
    metrics["mlflow_run_id"] = training_run_id
    metrics["stage_seconds"] = round(time.perf_counter() - started, 3)
    atomic.write_json(paths.metrics / f"{gan}.json", metrics)
    return metrics
