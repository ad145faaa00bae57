"""One GAN family's training stage: data -> model -> shared loop -> outputs -> tracking.

Outputs are published only after training finished cleanly: models/<gan>/ as one atomic
directory swap, then metrics/train/<gan>.json and plots/train/<gan>.csv. A failure at any
point (bad input, NaN loss, interrupt) leaves none of them, and ends the MLflow run FAILED.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from ganbench import atomic, params, reference, scoring, stage_outputs, tracking, training
from ganbench.data import prepare
from ganbench.models import registry
from ganbench.progress import ProgressEvaluator, progress_settings


def load_reference(path: Path) -> reference.ReferenceNetwork:
    """The reference network the evaluations during training score with."""
    return reference.ReferenceNetwork(
        keras.models.load_model(stage_outputs.require(path, "reference"))
    )


@dataclass(frozen=True)
class StagePaths:
    prepared: Path = Path("data/prepared")
    models: Path = Path("models")
    metrics: Path = Path("metrics/train")
    plots: Path = Path("plots/train")
    progress: Path = Path("plots/progress")
    checkpoints: Path = Path("checkpoints")
    reference: Path = Path("models/reference/classifier.keras")


class StageReporter:
    """Implements models.base.Reporter for one stage run."""

    def __init__(self, gan: str, staging: Path):
        self.gan = gan
        self.staging = staging
        self.extra_runs: dict[str, str] = {}

    @contextlib.contextmanager
    def run(self, name: str, tags: dict[str, str]) -> Iterator[tracking.Run]:
        # nested: it runs while the family's own training run is still open
        with tracking.run("train", name, f"train@{self.gan}", tags=tags, nested=True) as run:
            self.extra_runs[name] = run.run_id
            yield run

    def save_model(self, model: keras.Model, name: str) -> None:
        model.save(self.staging / f"{name}.keras")


def run(
    gan: str,
    params_path: str = "params.yaml",
    paths: StagePaths | None = None,
    stop_after: int | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Train family `gan` as configured; return the metrics written."""
    started = time.perf_counter()
    paths = paths or StagePaths()
    config_all = params.load(params_path)
    family = registry.family(gan)
    module = registry.module(gan)
    if gan not in config_all.gans:
        raise params.ParamsError(params_path, [f"{gan}: section is missing"])
    config = config_all.gans[gan]
    dataset = prepare.load(paths.prepared, config_all.data.dataset) if family.images else None
    evaluating = config.schedule.evaluate_every > 0
    settings = (
        progress_settings(config_all.section("evaluate", params_path)) if evaluating else None
    )
    tracking.connect()  # an unreachable store fails here, before any training
    atomic.ensure_writable(
        paths.models, paths.metrics, paths.plots, paths.progress, paths.checkpoints
    )

    training.configure_runtime(config.schedule.xla)
    # Built before seeding: loading the reference draws initial weights it then replaces,
    # and the family's networks must start the same with or without the evaluations.
    yardstick = None
    if evaluating and family.images:
        yardstick = scoring.Yardstick.build(load_reference(paths.reference), dataset, settings)
    training.set_determinism(config.schedule.seed, config.schedule.xla)
    model = module.create(config, dataset, paths.prepared)
    on_evaluate = None
    if evaluating:
        on_evaluate = ProgressEvaluator(family, model, dataset, yardstick, settings)
    work_dir = paths.checkpoints / gan
    samples_dir = work_dir / "samples"
    samples_dir.mkdir(parents=True, exist_ok=True)
    checkpointer = training.Checkpointer(
        work_dir / "checkpoint.npz", model, training.fingerprint(config)
    )
    with tracking.run("train", gan, f"train@{gan}", tags={"gan": gan}) as tracked:
        tracked.log_params(params.flatten(config, f"{gan}."))
        tracked.log_params({"data.dataset": config_all.data.dataset})

        def on_log(step: int, losses: dict[str, float]) -> None:
            tracked.log_metrics({f"loss_{k}": v for k, v in losses.items()}, step=step)

        def on_sample(step: int) -> None:
            path = samples_dir / f"step-{step:06d}.png"
            model.save_samples(path, step)
            tracked.log_artifact(path, "samples")

        def on_evaluate_logged(step: int) -> dict[str, float]:
            metrics = on_evaluate(step)
            tracked.log_metrics({f"progress_{k}": v for k, v in metrics.items()}, step=step)
            return metrics

        result = training.train(
            model,
            checkpointer,
            on_log,
            on_sample,
            stop_after,
            progress,
            on_evaluate_logged if on_evaluate else None,
        )
        if result.steps < config.schedule.iterations:
            return {"steps": result.steps, "stopped_early": True}

        models_out = paths.models / gan
        with atomic.staged_dir(models_out) as staging:
            for name, network in model.exported().items():
                network.save(staging / f"{name}.keras")
            shutil.copytree(samples_dir, staging / "samples")
            reporter = StageReporter(gan, staging)
            after = getattr(module, "after_training", None)
            extra = after(model, config, dataset, reporter) if after else {}
        metrics = {
            "gan": gan,
            "seed": config.schedule.seed,
            "steps": result.steps,
            "resumed_from": result.resumed_from,
            "wall_seconds": round(result.wall_seconds, 3),
            "steps_per_second": round(result.steps_per_second, 4),
            "evaluate_seconds": round(result.evaluate_seconds, 3),
            # over every resume of the run: its wall time, and where each stretch ran
            "total_seconds": round(result.total_seconds, 3),
            "segments": result.segments,
            "final_losses": result.final_losses,
            "mlflow_run_id": tracked.run_id,
            "mlflow_extra_runs": reporter.extra_runs,
            **extra,
            "stage_seconds": round(time.perf_counter() - started, 3),
        }
        tracked.log_metrics(
            {
                "wall_seconds": result.wall_seconds,
                "steps_per_second": result.steps_per_second,
                **{k: v for k, v in extra.items() if isinstance(v, float)},
            }
        )
        tracked.log_artifacts(models_out, "model")
        atomic.write_json(paths.metrics / f"{gan}.json", metrics)
        atomic.write_csv(paths.plots / f"{gan}.csv", result.history, empty_header=("step",))
        atomic.write_csv(paths.progress / f"{gan}.csv", result.evaluations, empty_header=("step",))
    checkpointer.remove()
    return metrics
