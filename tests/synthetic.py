"""Tiny synthetic MNIST-shaped IDX datasets, written by the tests themselves (no downloads)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ganbench.data import idx
from ganbench.data.sources import FILE_STEMS


def make_arrays(n_train: int = 200, n_test: int = 50, seed: int = 0) -> dict[str, np.ndarray]:
    """Class-dependent blobs so a classifier can learn them; labels cycle through 0..9."""
    rng = np.random.default_rng(seed)

    def images(labels: np.ndarray) -> np.ndarray:
        out = rng.integers(0, 40, size=(len(labels), 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):
            row = 2 + 2 * int(label)
            out[i, row : row + 4, 4:24] = 255
        return out

    y_train = (np.arange(n_train) % 10).astype(np.uint8)
    y_test = (np.arange(n_test) % 10).astype(np.uint8)
    return {
        "train_images": images(y_train),
        "train_labels": y_train,
        "test_images": images(y_test),
        "test_labels": y_test,
    }


def write_dataset(directory: Path, gzipped: bool = False, **kwargs: int) -> dict[str, Path]:
    """Write the four IDX files and a SHA256SUMS file accepting them; return role -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    arrays = make_arrays(**kwargs)
    paths = {}
    sums = []
    for role, stem in FILE_STEMS.items():
        path = directory / (f"{stem}.gz" if gzipped else stem)
        idx.write(path, arrays[role])
        paths[role] = path
        sums.append(f"{hashlib.sha256(idx.encode(arrays[role])).hexdigest()}  {stem}")
    (directory / "SHA256SUMS").write_text("\n".join(sums) + "\n")
    return paths
