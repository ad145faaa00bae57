"""Tiny variants of the repository's real configs, for tests that must run in seconds.

The shrinking reads the family's record and the shape of its config, never its name: a
semi-supervised family gets a 20-image labelled subset, a supervised baseline two epochs,
and any layer widths (`units`) or weight-norm init batch are cut down to test size."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.config import params
from ganbench.data import labels
from ganbench.data.splits import Dataset
from ganbench.models import registry
from tests.synthetic import make_arrays

REPO = Path(__file__).resolve().parents[1]
TINY_FIELDS = {"units": lambda units: tuple(min(u, 24) for u in units[:2]), "init_batch": 40}


def shrunk(section: Any) -> Any:
    """A nested config with every `units` tuple and `init_batch` cut down to test size."""
    changes = {}
    for fld in dataclasses.fields(section):
        value = getattr(section, fld.name)
        if dataclasses.is_dataclass(value):
            changes[fld.name] = shrunk(value)
        elif fld.name in TINY_FIELDS:
            rule = TINY_FIELDS[fld.name]
            changes[fld.name] = rule(value) if callable(rule) else rule
    return dataclasses.replace(section, **changes)


def tiny_config(gan: str, **schedule_changes):
    """The family's params.yaml section with a few-step schedule and small batches."""
    config = params.load(REPO / "params.yaml").gans[gan]
    family = registry.family(gan)
    schedule = {
        "iterations": 4,
        "batch_size": 4,
        "log_every": 1,
        "sample_every": 1000,
        "checkpoint_every": 1000,
        "xla": False,
        **schedule_changes,
    }
    changes: dict[str, Any] = {"schedule": dataclasses.replace(config.schedule, **schedule)}
    if family.semi_supervised:
        changes["labelled"] = dataclasses.replace(config.labelled, count=20)
    if family.supervised_baseline:
        changes["baseline"] = dataclasses.replace(config.baseline, epochs=2)
    return shrunk(dataclasses.replace(config, **changes))


def tiny_dataset() -> Dataset:
    arrays = make_arrays(n_train=120, n_test=40)
    return Dataset(
        x_train=arrays["train_images"],
        y_train=arrays["train_labels"],
        x_test=arrays["test_images"],
        y_test=arrays["test_labels"],
    )


def prepared_dir(tmp_path: Path, dataset: Dataset) -> Path:
    """A prepared/ folder with the label subsets the tiny semi-supervised configs ask for."""
    directory = tmp_path / "prepared"
    labels.write_subsets(directory / "labels", dataset.y_train, 20, 0)
    return directory


def build(gan: str, tmp_path: Path, **schedule_changes):
    """Seed everything and build family `gan` on tiny data; returns (model, config)."""
    from ganbench.training import loop

    config = tiny_config(gan, **schedule_changes)
    dataset = tiny_dataset()
    loop.set_determinism(config.schedule.seed, config.schedule.xla)
    model = registry.module(gan).create(config, dataset, prepared_dir(tmp_path, dataset))
    return model, config


def weights(model) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in model.state_variables()]
