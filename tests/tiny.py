"""Tiny variants of the repository's real configs, for tests that must run in seconds."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from ganbench import params
from ganbench.data import labels
from ganbench.data.prepare import Dataset
from ganbench.models import registry
from tests.synthetic import make_arrays

REPO = Path(__file__).resolve().parents[1]


def tiny_config(gan: str, **schedule_changes):
    """The family's params.yaml section with a few-step schedule and small batches."""
    config = params.load(REPO / "params.yaml").gans[gan]
    schedule = {
        "iterations": 4,
        "batch_size": 4,
        "log_every": 1,
        "sample_every": 1000,
        "checkpoint_every": 1000,
        "xla": False,
        **schedule_changes,
    }
    changes = {"schedule": dataclasses.replace(config.schedule, **schedule)}
    if gan in ("sgan", "sgan_fm"):
        changes["labelled"] = dataclasses.replace(config.labelled, count=20)
    if gan == "sgan":
        changes["baseline"] = dataclasses.replace(config.baseline, epochs=2)
    if gan == "sgan_fm":
        changes["generator"] = dataclasses.replace(config.generator, units=(16,))
        changes["discriminator"] = dataclasses.replace(
            config.discriminator, units=(24, 12), init_batch=40
        )
    return dataclasses.replace(config, **changes)


def tiny_dataset() -> Dataset:
    arrays = make_arrays(n_train=120, n_test=40)
    return Dataset(
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"],
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"],
    )


def prepared_dir(tmp_path: Path, dataset: Dataset) -> Path:
    """A prepared/ folder with the label subsets the tiny SGAN config asks for."""
    directory = tmp_path / "prepared"
    labels.write_subsets(directory / "labels", dataset.y_train, 20, 0)
    return directory


def build(gan: str, tmp_path: Path, **schedule_changes):
    """Seed everything and build family `gan` on tiny data; returns (model, config)."""
    from ganbench import training

    config = tiny_config(gan, **schedule_changes)
    dataset = tiny_dataset()
    training.set_determinism(config.schedule.seed, config.schedule.xla)
    model = registry.module(gan).create(config, dataset, prepared_dir(tmp_path, dataset))
    return model, config


def weights(model) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in model.state_variables()]
