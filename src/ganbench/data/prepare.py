"""Turn four verified IDX files into one compact array file plus the labelled subsets."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.data import idx, labels
from ganbench.data.settings import DataParams
from ganbench.data.sources import Acquired
from ganbench.data.splits import Dataset, dataset_path
from ganbench.plumbing import atomic
from ganbench.plumbing.errors import InputError
from ganbench.plumbing.schema import NUM_CLASSES

IMAGE_SIZE = (28, 28)


class PrepareError(InputError):
    """The files parse but do not form a usable dataset."""


def read_dataset(acquired: Acquired) -> Dataset:
    """Parse and cross-check the four files (sizes agree, 28x28 images, labels 0..9)."""
    files = acquired.files
    arrays = {
        role: idx.read(path, idx.IMAGES_RANK if role.endswith("images") else idx.LABELS_RANK)
        for role, path in files.items()
    }
    for split in ("train", "test"):
        images, lbls = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.shape[1:] != IMAGE_SIZE:
            raise PrepareError(
                f"{files[f'{split}_images']}: images are {images.shape[1:]}, expected 28x28"
            )
        if len(images) != len(lbls):
            raise PrepareError(
                f"{files[f'{split}_labels']}: {len(lbls)} labels for {len(images)} images"
            )
        if lbls.max() >= NUM_CLASSES:
            raise PrepareError(
                f"{files[f'{split}_labels']}: label {lbls.max()} outside 0..{NUM_CLASSES - 1}"
            )
    return Dataset(
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"],
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"],
    )


def write_prepared(prepared_dir: Path, data: DataParams, dataset: Dataset) -> dict[str, int]:
    """Write the dataset file and every (count, seed) subset into `prepared_dir`, atomically.

    Subsets are validated in full before anything is written, so a bad label count leaves
    the previous outputs untouched.
    """
    for count in data.label_counts:
        if count > len(dataset.y_train):
            raise PrepareError(
                f"data.label_counts: {count} exceeds the {len(dataset.y_train)} training images"
            )
        for seed in data.label_seeds:
            labels.balanced(dataset.y_train, count, seed)
    with atomic.staged_dir(prepared_dir) as staging:
        np.savez_compressed(
            dataset_path(staging, data.dataset),
            x_train=dataset.x_train,
            y_train=dataset.y_train,
            x_test=dataset.x_test,
            y_test=dataset.y_test,
        )
        for count in data.label_counts:
            for seed in data.label_seeds:
                labels.write_subsets(staging / "labels", dataset.y_train, count, seed)
    return {
        "train_images": len(dataset.y_train),
        "test_images": len(dataset.y_test),
        "label_subsets": len(data.label_counts) * len(data.label_seeds),
    }
