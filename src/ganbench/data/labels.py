"""Which training images keep their label: the labelled subsets every later stage uses.

Two samplings: `balanced` (n/10 images of each class, drawn with a seeded generator, so every
seed gives a different but reproducible subset) and `first` (the first n training images, as
the SGAN seed notebook does; not class-balanced and independent of the seed).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.plumbing import atomic
from ganbench.plumbing.errors import InputError
from ganbench.plumbing.schema import NUM_CLASSES

SAMPLINGS = ("balanced", "first")


class LabelSubsetError(InputError):
    """A requested subset cannot be drawn from the training labels."""


def balanced(labels: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count / 10` indices of each class, drawn without replacement; sorted ascending."""
    if count <= 0 or count % NUM_CLASSES:
        raise LabelSubsetError(
            f"label count {count}: must be a positive multiple of {NUM_CLASSES} for balanced "
            "sampling"
        )
    per_class = count // NUM_CLASSES
    rng = np.random.default_rng(seed)
    chosen = []
    for cls in range(NUM_CLASSES):
        pool = np.flatnonzero(labels == cls)
        if len(pool) < per_class:
            raise LabelSubsetError(
                f"label count {count}: class {cls} has {len(pool)} training images, "
                f"fewer than the {per_class} balanced sampling needs"
            )
        chosen.append(rng.choice(pool, size=per_class, replace=False))
    return np.sort(np.concatenate(chosen))


def first(labels: np.ndarray, count: int) -> np.ndarray:
    """The first `count` training indices, as the SGAN seed takes them."""
    if not 0 < count <= len(labels):
        raise LabelSubsetError(
            f"label count {count}: must be between 1 and the {len(labels)} training images"
        )
    return np.arange(count)


def subset_path(labels_dir: str | Path, count: int, seed: int) -> Path:
    return Path(labels_dir) / f"{count}-{seed}.json"


def write_subsets(labels_dir: Path, labels: np.ndarray, count: int, seed: int) -> None:
    """Write both samplings for one (count, seed) as a small JSON file."""
    payload = {
        "count": count,
        "seed": seed,
        "balanced": balanced(labels, count, seed).tolist(),
        "first": first(labels, count).tolist(),
    }
    atomic.write_json(subset_path(labels_dir, count, seed), payload)


def load_subset(labels_dir: str | Path, count: int, seed: int, sampling: str) -> np.ndarray:
    """Indices of one prepared subset; a clear error names the missing file or sampling."""
    import json

    path = subset_path(labels_dir, count, seed)
    if sampling not in SAMPLINGS:
        raise LabelSubsetError(f"sampling {sampling!r}: expected one of {', '.join(SAMPLINGS)}")
    if not path.is_file():
        raise LabelSubsetError(
            f"{path}: labelled subset not prepared; add {count} to data.label_counts and "
            f"{seed} to data.label_seeds, then run `dvc repro prepare`"
        )
    return np.asarray(json.loads(path.read_text())[sampling], dtype=np.int64)
