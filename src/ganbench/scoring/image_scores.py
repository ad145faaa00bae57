"""Scoring generated images on the benchmark's yardstick: the reference network's features
and softmax, against a fixed set of real training images, beside the floor (real test
images scored the same way).

One implementation for every caller: the evaluate stage (10,000 or 5,000 samples), the
evaluation during training (a small sample every `evaluate_every` iterations), and
`ganbench score` for generators from outside the pipeline. The metric functions themselves
are the pure ones in `ganbench.evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ganbench.config.params import EvaluateParams
from ganbench.data import splits
from ganbench.evaluation import classification, distributions, frechet, kid, manifold
from ganbench.plumbing.schema import NUM_CLASSES
from ganbench.scoring import fid_infinity, reference


@dataclass(frozen=True)
class ImageSet:
    """One set of images as the reference network sees it."""

    pixels: np.ndarray  # unit range, N x 28 x 28 x 1
    features: np.ndarray
    probabilities: np.ndarray

    @classmethod
    def of(cls, net: reference.ReferenceNetwork, pixels: np.ndarray) -> ImageSet:
        features, probabilities = net.features_and_probabilities(pixels)
        return cls(pixels, features, probabilities)

    def predicted(self) -> np.ndarray:
        return np.argmax(self.probabilities, axis=-1)


def feature_metrics(candidate: ImageSet, real: ImageSet, p: EvaluateParams) -> dict[str, Any]:
    """The metrics of one image set against the real set."""
    kid_mean, kid_std = kid.kernel_distance(
        candidate.features, real.features, p.kid_subsets, p.kid_subset_size, p.seed
    )
    scores = manifold.manifold_scores(real.features, candidate.features, p.nearest_k)
    pixels = distributions.compare_samples(candidate.pixels, real.pixels)
    return {
        "fid": frechet.frechet_distance_of(candidate.features, real.features),
        "kid": kid_mean,
        "kid_std": kid_std,
        "precision": scores.precision,
        "recall": scores.recall,
        "density": scores.density,
        "coverage": scores.coverage,
        "classifier_score": classification.classifier_score(candidate.probabilities),
        **classification.class_coverage(candidate.predicted()),
        "pixel_w1": pixels["w1"],
        "pixel_ks": pixels["ks"],
        **{f"pixel_{k}": v for k, v in distributions.moments(candidate.pixels).items()},
    }


@dataclass(frozen=True)
class Yardstick:
    """The reference network with the real set and the floor's test images, computed once
    and reused for every image set scored against them."""

    net: reference.ReferenceNetwork
    real: ImageSet
    real_labels: np.ndarray
    test: ImageSet
    test_labels: np.ndarray
    settings: EvaluateParams

    @classmethod
    def build(
        cls, net: reference.ReferenceNetwork, dataset: splits.Dataset, p: EvaluateParams
    ) -> Yardstick:
        """`real_samples` training images as the real set; as many test images as there are
        generated samples for the floor, since FID-style and KID estimates are biased by
        sample size and a floor at another size would not be comparable."""
        rng = np.random.default_rng(p.seed)
        train_count = min(p.real_samples, len(dataset.x_train))
        chosen = rng.choice(len(dataset.x_train), train_count, False)
        test_index = np.arange(len(dataset.x_test))
        if p.samples < len(dataset.x_test):
            test_index = np.sort(rng.choice(len(dataset.x_test), p.samples, False))
        return cls(
            net=net,
            real=ImageSet.of(net, reference.unit_images(dataset.x_train[chosen])),
            real_labels=dataset.y_train[chosen].astype(np.int64),
            test=ImageSet.of(net, reference.unit_images(dataset.x_test[test_index])),
            test_labels=dataset.y_test[test_index].astype(np.int64),
            settings=p,
        )

    @property
    def weights_hash(self) -> str:
        return self.net.weights_hash

    def score(self, pixels: np.ndarray) -> tuple[dict[str, Any], ImageSet]:
        """Unit-range images -> their metrics (and the image set, for further metrics)."""
        candidate = ImageSet.of(self.net, pixels)
        return feature_metrics(candidate, self.real, self.settings), candidate

    def floor(self) -> dict[str, Any]:
        return feature_metrics(self.test, self.real, self.settings)

    def fid_infinity(self, candidate: ImageSet) -> dict[str, Any]:
        """FID-style of an image set extrapolated to N -> infinity against the real set
        (comparable across sample sizes; FID-style at N is not)."""
        return fid_infinity.extrapolate(candidate.features, self.real.features, self.settings.seed)

    def real_pixel_moments(self) -> dict[str, float]:
        return {f"pixel_{k}": v for k, v in distributions.moments(self.real.pixels).items()}

    def conditional(self, candidate: ImageSet, requested: np.ndarray) -> dict[str, Any]:
        """For a class-conditional generator: how often the reference sees the requested
        class, and the FID-style distance within each class (generated images of class c
        against real images of class c), beside the same within-class distance of the
        floor's test images."""
        report = classification.accuracy_report(requested, candidate.predicted())
        generated = self.per_class_fid(candidate.features, requested)
        floor = self.per_class_fid(self.test.features, self.test_labels)
        return {
            "conditional_accuracy": report["accuracy"],
            "conditional_per_class_accuracy": report["per_class_accuracy"],
            "intra_fid": mean_defined(generated),
            "intra_fid_per_class": generated,
            "floor_intra_fid": mean_defined(floor),
        }

    def per_class_fid(self, features: np.ndarray, classes: np.ndarray) -> list[float | None]:
        """FID-style distance of each class's features to the real images of that class;
        None for a class with fewer than two images on either side (no covariance)."""
        distances: list[float | None] = []
        for c in range(NUM_CLASSES):
            mine, real = features[classes == c], self.real.features[self.real_labels == c]
            enough = min(len(mine), len(real)) >= 2
            distances.append(frechet.frechet_distance_of(mine, real) if enough else None)
        return distances


def over_draws(scored: list[dict[str, Any]], seeds: list[int]) -> dict[str, Any]:
    """Each figure that every draw has (FID∞ by its intercept) over independent sample draws
    of one generator: per draw, mean and SD, the resampling noise a difference between two
    generators must exceed."""
    figures = [k for k, v in scored[0].items() if isinstance(v, float)] + ["fid_infinity"]
    spread: dict[str, Any] = {}
    for key in figures:
        if not all(key in m for m in scored):
            continue
        values = [m[key]["fid_infinity"] if key == "fid_infinity" else m[key] for m in scored]
        spread[key] = {
            "per_draw": values,
            "mean": float(np.mean(values)),
            "sd": float(np.std(values, ddof=1)) if len(values) > 1 else None,
        }
    return {"seeds": seeds, "figures": spread}


KID_NOTE = "KID's estimate is unbiased in N: comparable across sample sizes as it is"


def mean_defined(values: list[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None
