"""The sequence every training stage runs, written once, for the train stage, the label
study's cells and its all-labels ceiling: load (validated params, the data) -> connect (the
tracking store, the outputs' folders, before any work) -> seed -> create the family's model
-> resume from its checkpoint -> train -> the family's own figures after training.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from ganbench.config import params
from ganbench.data import splits
from ganbench.models import registry
from ganbench.models.base import GanModel
from ganbench.plumbing import atomic, devices, tracking
from ganbench.training import loop


@dataclass(frozen=True)
class Opened:
    """A stage ready to work: its validated params and the dataset it needs."""

    config: params.Params
    dataset: splits.Dataset | None


def open_stage(
    params_path: str, prepared: Path, outputs: Sequence[Path], needs_images: bool = True
) -> Opened:
    """Validate, load the data, and prove the tracking store answers and every output
    folder is writable: a stage that cannot finish fails here, in seconds."""
    config_all = params.load(params_path)
    dataset = splits.load(prepared, config_all.data.dataset) if needs_images else None
    tracking.connect()
    atomic.ensure_writable(*outputs)
    return Opened(config_all, dataset)


def create_model(
    family: registry.Family,
    config: Any,
    dataset: splits.Dataset | None,
    prepared: Path,
    compute: params.ComputeParams | None = None,
) -> GanModel:
    """Seeded from the config's schedule, so the same config builds the same networks, in
    the given precision (params' compute section); a model that cannot run
    deterministically on this device, where that is asked for, is refused here."""
    compute = compute or params.ComputeParams()
    loop.set_determinism(config.schedule.seed, config.schedule.xla, compute.deterministic)
    loop.set_precision(compute.precision)
    model = registry.module(family.name).create(config, dataset, prepared)
    devices.check_determinism(model.networks(), compute.deterministic)
    return model


def train_model(
    model: GanModel,
    config: Any,
    checkpoint: Path,
    on_log: loop.LogFn,
    on_sample: loop.SampleFn = lambda step: None,
    on_evaluate: loop.EvaluateFn | None = None,
    stop_after: int | None = None,
    progress: bool = True,
    compute: params.ComputeParams | None = None,
) -> loop.TrainResult:
    """Resume from `checkpoint` (if it belongs to this config and the compute section's
    precision, as create_model built it) and train to the schedule."""
    compute = compute or params.ComputeParams()
    fingerprint = loop.fingerprint(config, compute.precision)
    checkpointer = loop.Checkpointer(checkpoint, model, fingerprint)
    return loop.train(model, checkpointer, on_log, on_sample, stop_after, progress, on_evaluate)


class Reporter:
    """What a family may do beyond the shared loop (models.base.Reporter): runs of its own
    nested under the stage's run, and networks saved beside its exported ones. A stage that
    keeps neither (a study cell) passes models_dir=None and nested_runs=False."""

    def __init__(self, area: str, stage: str, models_dir: Path | None, nested_runs: bool = True):
        self.area, self.stage, self.models_dir = area, stage, models_dir
        self.nested_runs = nested_runs
        self.extra_runs: dict[str, str] = {}

    @contextlib.contextmanager
    def run(self, name: str, tags: dict[str, str]) -> Iterator[Any]:
        if not self.nested_runs:
            yield Unrecorded()
            return
        with tracking.run(self.area, name, self.stage, tags=tags, nested=True) as run:
            self.extra_runs[name] = run.run_id
            yield run

    def save_model(self, model: keras.Model, name: str) -> None:
        if self.models_dir is not None:
            model.save(self.models_dir / f"{name}.keras")


class Unrecorded:
    """A run that records nothing: what a family logs of its extra work where the stage
    keeps only the figures it returns."""

    def log_params(self, values: Any) -> None: ...

    def log_metrics(self, values: Any, step: int | None = None) -> None: ...

    def set_tags(self, values: Any) -> None: ...
