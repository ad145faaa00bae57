"""Evaluation during training: the evaluate stage's own metrics, on a small sample, every
`schedule.evaluate_every` steps, so that a run shows its FID-vs-iterations curve (in MLflow
as metric history, in plots/progress/<gan>.csv for DVC).

Every point uses the same noise, so the curve follows one set of latent codes through
training. Scoring only reads the networks: inference mode, its own random streams.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ganbench.data import splits
from ganbench.evaluation import distributions
from ganbench.models.base import GanModel, scale_images
from ganbench.models.registry import Family
from ganbench.plumbing.schema import NUM_CLASSES
from ganbench.scoring import image_scores

# What each point records of an image generator (the rest of the suite is for the end).
IMAGE_KEYS = ("fid", "kid", "precision", "recall", "density", "coverage", "classifier_score")
DIVERSITY_KEYS = ("class_entropy", "class_kl_uniform")
CONDITIONAL_KEYS = ("conditional_accuracy", "intra_fid")
VECTOR_KEYS = ("mean", "std", "ks", "w1")


def progress_settings(p: Any) -> Any:
    """The evaluate settings with the progress sample size in place of the final one."""
    return dataclasses.replace(
        p,
        samples=p.progress_samples,
        real_samples=p.progress_samples,
        kid_subsets=p.progress_kid_subsets,
    )


class ProgressEvaluator:
    """Called with the step; returns the metrics of the model as it is at that step."""

    def __init__(
        self,
        family: Family,
        config: Any,
        model: GanModel,
        dataset: splits.Dataset | None,
        yardstick: image_scores.Yardstick | None,
        p: Any,
    ):
        self.family, self.config, self.model, self.yardstick = family, config, model, yardstick
        self.samples, self.seed = p.progress_samples, p.seed
        if family.semi_supervised and dataset is not None:
            self.x_test = scale_images(dataset.x_test, model.pixel_range)
            self.y_test = dataset.y_test.astype(np.int64)

    def __call__(self, step: int) -> dict[str, float]:
        """The metrics at this step: the generator's (on the yardstick, when one is given)
        and a semi-supervised family's classifier accuracy on the test set."""
        metrics: dict[str, float] = {}
        if not self.family.images:
            mean, std = self.config.target()
            moments = distributions.compare_to_normal(
                self.model.generate(self.samples, self.seed), mean, std
            )
            return {key: moments[key] for key in VECTOR_KEYS}
        if self.yardstick is not None:
            generated = self.model.generate(self.samples, self.seed)
            scored, candidate = self.yardstick.score(generated)
            metrics.update({key: scored[key] for key in (*IMAGE_KEYS, *DIVERSITY_KEYS)})
            if self.family.conditional:
                requested = np.arange(len(generated)) % NUM_CLASSES
                conditional = self.yardstick.conditional(candidate, requested)
                metrics.update(
                    {k: conditional[k] for k in CONDITIONAL_KEYS if conditional[k] is not None}
                )
        if self.family.semi_supervised:
            predicted = self.model.predict_classes(self.x_test)
            metrics["test_accuracy"] = float(np.mean(predicted == self.y_test))
        return metrics
