"""DVC stage `evaluate@<gan>`: score one trained generator against real data.

Every image family gets the same metrics in the reference network's feature space (FID-style,
KID, precision/recall/density/coverage, classifier score) plus the pixel-intensity
comparison, each beside its floor (real test images against the real set: what a perfect
generator would score) and its ceiling (the same family's untrained generator), and the
mode-collapse diagnostics (how the reference network spreads the samples over the classes).
A non-image family (the 1-D GAN) gets moments and distances to its target distribution; a
conditional one (ACGAN) adds conditional accuracy and the FID-style distance per class.

All numbers are computed before MLflow is touched; they are then logged, under the same
names for every family, to the GAN's training run, and written to metrics/<gan>.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ganbench.config import params
from ganbench.data import splits
from ganbench.evaluation import distributions
from ganbench.models import registry
from ganbench.plumbing import atomic, layout, stage_outputs, tracking
from ganbench.plumbing.schema import NUM_CLASSES
from ganbench.scoring import image_scores, reference
from ganbench.training import loop


@dataclass(frozen=True)
class EvaluatePaths:
    prepared: Path = layout.default_path("prepared")
    models: Path = layout.default_path("models")
    train_metrics: Path = layout.default_path("train_metrics")
    metrics: Path = layout.default_path("metrics")
    reference: Path = field(default_factory=lambda: layout.path("reference") / reference.MODEL_FILE)


def load_reference(paths: EvaluatePaths) -> reference.ReferenceNetwork:
    path = stage_outputs.require(paths.reference, "reference")
    return reference.ReferenceNetwork(keras.models.load_model(path))


def extrapolated(
    yardstick: image_scores.Yardstick, pixels: np.ndarray
) -> tuple[dict[str, Any], image_scores.ImageSet]:
    """A sample draw's figures with FID∞ beside FID-style at N, as every scored draw of this
    stage and of `ganbench score` reports them."""
    metrics, candidate = yardstick.score(pixels)
    metrics["fid_infinity"] = yardstick.fid_infinity(candidate)
    return metrics, candidate


def extrapolated_floor(yardstick: image_scores.Yardstick) -> dict[str, Any]:
    """The floor (real test images of the same size) with its FID∞, likewise."""
    floor = yardstick.floor()
    floor["fid_infinity"] = yardstick.fid_infinity(yardstick.test)
    return floor


def image_metrics(
    yardstick: image_scores.Yardstick, generated: np.ndarray, untrained: np.ndarray
) -> tuple[dict[str, Any], image_scores.ImageSet]:
    """Generated images scored against the real set, with floor and ceiling rows computed
    the same way."""
    scored, candidate = extrapolated(yardstick, generated)
    metrics = {
        **scored,
        "classifier_score_max": float(NUM_CLASSES),
        "real": yardstick.real_pixel_moments(),
        "floor": extrapolated_floor(yardstick),
        "untrained": yardstick.score(untrained)[0],
    }
    return metrics, candidate


HISTOGRAM_BINS = 60
HISTOGRAM_SPAN = 4.0  # the target's mean ± this many SDs


def density_histogram(values: np.ndarray, mean: float, std: float) -> dict[str, list[float]]:
    """A sample's density over fixed bins around N(mean, std²) (mean ± 4 SD), with the share
    that falls outside them: small enough to keep beside the figures, and the same bins for
    every seed, so their shapes can be drawn on one figure against the target's density.
    (Here, not in evaluation/, which the label study depends on: only this stage uses it.)"""
    half = HISTOGRAM_SPAN * std
    edges = np.linspace(mean - half, mean + half, HISTOGRAM_BINS + 1)
    x = np.asarray(values, np.float64).ravel()
    counts, _ = np.histogram(x, edges)
    return {
        "edges": [float(e) for e in edges],
        "density": [float(c) for c in counts / (len(x) * np.diff(edges))],
        "outside_share": float(1.0 - counts.sum() / len(x)),
    }


def distribution_metrics(
    generated: np.ndarray, noise: np.ndarray, untrained: np.ndarray, config: Any, seed: int
) -> dict[str, Any]:
    """A non-image family's values against its target N(mean, std²), with the input noise
    as the 'before' row, a fresh target sample as the floor and the untrained generator as
    the ceiling."""
    mean, std = config.target()
    target = np.random.default_rng(seed).normal(mean, std, generated.shape)
    return {
        **distributions.compare_to_normal(generated, mean, std),
        "target_mean": mean,
        "target_std": std,
        "histogram": density_histogram(generated, mean, std),
        "noise": distributions.compare_to_normal(noise, mean, std),
        "floor": distributions.compare_to_normal(target, mean, std),
        "untrained": distributions.compare_to_normal(untrained, mean, std),
    }


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
    """Compute every metric of one GAN (no tracking, no files written). The accuracies of a
    semi-supervised family's classifier are training's figures (metrics/train/<gan>.json),
    not computed again here."""
    config = config_all.section(gan)
    generator_path = stage_outputs.require(paths.models / gan / "generator.keras", f"train@{gan}")
    untrained = untrained_sampler(gan, config)
    trained = registry.module(gan).sampler(config, keras.models.load_model(generator_path))
    return score_samplers(gan, config_all, trained, untrained, paths)


def untrained_sampler(gan: str, config: Any) -> Any:
    """The family's generator as training started it (the ceiling): same seed, same build
    order, so it is the very network the trained one grew from."""
    module = registry.module(gan)
    loop.set_determinism(config.schedule.seed, xla=False)
    return module.sampler(config, module.build_networks(config)["generator"])


def score_samplers(
    gan: str, config_all: params.Params, trained: Any, untrained: Any, paths: EvaluatePaths
) -> dict[str, Any]:
    """The metrics of a trained generator beside its untrained ceiling and the floor (also
    for a generator restored from a checkpoint, before its run has finished)."""
    p: params.EvaluateParams = config_all.section("evaluate")
    config = config_all.section(gan)
    family = registry.family(gan)
    dataset = splits.load(paths.prepared, config_all.data.dataset) if family.images else None
    if not family.images:
        generated = trained.generate(p.samples, p.seed)
        noise = trained.latent(p.samples, p.seed).numpy()
        ceiling = untrained.generate(p.samples, p.seed)
        return {"gan": gan, **distribution_metrics(generated, noise, ceiling, config, p.seed)}

    ceiling = untrained.generate(p.samples, p.seed)
    yardstick = image_scores.Yardstick.build(load_reference(paths), dataset, p)
    generated = trained.generate(p.samples, p.seed)
    scored, candidate = image_metrics(yardstick, generated, ceiling)
    metrics = {
        "gan": gan,
        "samples": p.samples,
        "reference_weights_hash": yardstick.weights_hash,
        **scored,
        "kid_note": image_scores.KID_NOTE,
    }
    if family.conditional:  # the sampler cycled the requested classes 0..9
        requested = np.arange(len(generated)) % NUM_CLASSES
        metrics.update(yardstick.conditional(candidate, requested))
    if p.sample_seeds:
        metrics["sample_draws"] = sample_draws(yardstick, trained, p, scored)
    return metrics


def sample_draws(
    yardstick: image_scores.Yardstick,
    trained: Any,
    p: params.EvaluateParams,
    first: dict[str, Any],
) -> dict[str, Any]:
    """Every figure over `sample_seeds` draws of the same generator (the `seed` draw's
    figures reused when it is one of them): how far resampling alone moves a score."""
    scored = []
    for seed in p.sample_seeds:
        if seed == p.seed:
            scored.append(first)
            continue
        scored.append(extrapolated(yardstick, trained.generate(p.samples, seed))[0])
    return image_scores.over_draws(scored, list(p.sample_seeds))


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
    seed = config_all.section(gan).schedule.seed
    # a run is one training seed: said where its figures are compared, in the MLflow UI too
    tags = {"evaluated_by": tracking.git_commit(), "seeds": f"1 seed, no interval (seed {seed})"}
    if "reference_weights_hash" in metrics:
        tags["reference_weights_hash"] = metrics["reference_weights_hash"]
    tracking.add_to_run(training_run_id, loggable(metrics), tags)
    metrics["mlflow_run_id"] = training_run_id
    metrics["stage_seconds"] = round(time.perf_counter() - started, 3)
    atomic.write_json(paths.metrics / f"{gan}.json", metrics)
    return metrics
