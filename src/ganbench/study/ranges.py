"""The range each evaluation figure can take, so that an interval over seeds never claims
values the figure cannot have (an accuracy above 1, a negative FID)."""

from __future__ import annotations

import math

LOG_CLASSES = math.log(10)  # the class entropy of a uniform spread over MNIST's 10 classes

# (lowest, highest) a figure can take; None: unbounded on that side. Figures absent here
# (KID, whose unbiased estimate can be negative; moments; differences) are unbounded.
RANGES: dict[str, tuple[float | None, float | None]] = {
    "fid": (0.0, None),
    "floor_fid": (0.0, None),
    "untrained_fid": (0.0, None),
    "intra_fid": (0.0, None),
    "precision": (0.0, 1.0),
    "recall": (0.0, 1.0),
    "density": (0.0, None),
    "coverage": (0.0, 1.0),
    "classifier_score": (1.0, 10.0),
    "class_entropy": (0.0, LOG_CLASSES),
    "class_kl_uniform": (0.0, None),
    "conditional_accuracy": (0.0, 1.0),
    "test_accuracy": (0.0, 1.0),
    "baseline_test_accuracy": (0.0, 1.0),
    "std": (0.0, None),
    "w1": (0.0, None),
    "ks": (0.0, 1.0),
}
ACCURACY = RANGES["test_accuracy"]


def range_of(figure: str) -> tuple[float | None, float | None]:
    return RANGES.get(figure, (None, None))
