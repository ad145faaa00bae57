"""The prepared dataset as every later stage reads it: train and test images with their
labels, from the one array file `prepare` wrote. Light: the IDX parsing and the sources
stay in `prepare`, so the stages that only read the arrays do not depend on them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Dataset:
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def dataset_path(prepared_dir: str | Path, dataset: str) -> Path:
    return Path(prepared_dir) / f"{dataset}.npz"


def load(prepared_dir: str | Path, dataset: str) -> Dataset:
    """Load what `prepare` wrote; names the missing stage if it has not run."""
    path = dataset_path(prepared_dir, dataset)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not found; run the prepare stage (`dvc repro prepare`)")
    with np.load(path) as arrays:
        return Dataset(**{key: arrays[key] for key in ("x_train", "y_train", "x_test", "y_test")})


def digest(path: Path) -> str:
    """The prepared file's SHA-256 (first 16 hex digits): the dataset's identity in MLflow."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()[:16]
