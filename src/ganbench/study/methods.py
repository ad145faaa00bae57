"""What the label study compares and where a cell's result lives: its semi-supervised GANs
(study.iterations), the supervised network, the scikit-learn baselines, and their display
names. Light (no TensorFlow) so that the summary and the report can read it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ganbench.config.params import StudyParams
from ganbench.models import registry

SUPERVISED = "supervised"  # the baseline family's network trained on the labels alone
CLASSICAL = ("logistic_regression", "label_spreading")
LABELS = {
    SUPERVISED: "supervised, same network",
    "logistic_regression": "logistic regression (pixels)",
    "label_spreading": "label spreading (kNN, pixels)",
}


def methods(study: StudyParams) -> tuple[str, ...]:
    """The study's methods, in the table's order: its GANs, the supervised network, and
    the scikit-learn baselines."""
    return (*study.iterations, SUPERVISED, *CLASSICAL)


def method_labels(names: Sequence[str]) -> dict[str, str]:
    """Display names: a GAN's from its family record, the others' from this module."""
    return {m: LABELS[m] if m in LABELS else registry.family(m).label for m in names}


def cell_path(cells_dir: Path, count: int, seed: int) -> Path:
    return cells_dir / f"{count}-{seed}.json"


def published_points(names: Sequence[str]) -> list[dict]:
    """The accuracies the compared families' sources report (registry records), as the
    study figure draws them and the summary cites them: one legend entry per source."""
    points, named = [], set()
    for method in names:
        if method not in registry.FAMILIES:
            continue
        for p in registry.family(method).published:
            legend = f"published ({p.source})"
            points.append(
                {
                    "method": method,
                    "labels": p.labels,
                    "accuracy": p.accuracy,
                    "source": p.source,
                    "note": p.note,
                    "legend": None if legend in named else legend,
                }
            )
            named.add(legend)
    return points
