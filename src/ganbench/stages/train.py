"""One GAN family's training stage: data -> model -> shared loop -> outputs -> tracking.

Outputs are published only after training finished cleanly: models/<gan>/ as one atomic
directory swap, then metrics/train/<gan>.json, plots/train/<gan>.csv (losses) and
plots/progress/<gan>.csv (the evaluations during training). A failure at any point (bad
input, NaN loss, interrupt) leaves none of them, and ends the MLflow run FAILED.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import keras

from ganbench.data import splits
from ganbench.models import registry
from ganbench.models.base import scale_images
from ganbench.plumbing import atomic, devices, layout, machine, schema, stage_outputs, tracking
from ganbench.scoring import image_scores, reference
from ganbench.training import loop, runner
from ganbench.training.progress import ProgressEvaluator, progress_settings


def register_models(
    tracked: tracking.Run, gan: str, model, dataset: splits.Dataset | None, alias: str
) -> None:
    """Every exported network as an MLflow Model in the registry: the generator with its
    sampling spec (so `ganbench sample` can draw from it by URI), a classifier with test
    images as its input example."""
    sampler = model.sampler()
    for name, network in model.exported().items():
        if network is sampler.network:
            example, metadata = sampler.input_example(), {"family": gan, **sampler.spec()}
        else:
            example = scale_images(dataset.x_test[:2], model.pixel_range)
            metadata = {"family": gan, "pixel_range": model.pixel_range}
        tracked.log_keras_model(network, name, example, f"ganbench-{gan}-{name}", alias, metadata)


def load_reference(path: Path) -> reference.ReferenceNetwork:
    """The reference network the evaluations during training score with."""
    return reference.ReferenceNetwork(
        keras.models.load_model(stage_outputs.require(path, "reference"))
    )


@dataclass(frozen=True)
class StagePaths:
    prepared: Path = layout.default_path("prepared")
    models: Path = layout.default_path("models")
    metrics: Path = layout.default_path("train_metrics")
    plots: Path = layout.default_path("train_plots")
    progress: Path = layout.default_path("progress_plots")
    checkpoints: Path = layout.default_path("checkpoints")
    reference: Path = field(default_factory=lambda: layout.path("reference") / reference.MODEL_FILE)

    @classmethod
    def under(cls, folder: Path, prepared: Path, reference: Path) -> StagePaths:
        """The stage's outputs inside `folder`, laid out as in the repository (a paper seed's
        folder, a test's temporary one), reading `prepared` data and the `reference` network."""
        return cls(
            prepared=prepared,
            models=folder / layout.path("models"),
            metrics=folder / layout.path("train_metrics"),
            plots=folder / layout.path("train_plots"),
            progress=folder / layout.path("progress_plots"),
            checkpoints=folder / layout.path("checkpoints"),
            reference=reference,
        )


def run(
    gan: str,
    params_path: str = "params.yaml",
    paths: StagePaths | None = None,
    stop_after: int | None = None,
    progress: bool = True,
    register_as: str | None = None,
) -> dict[str, Any]:
    """Train family `gan` as configured; return the metrics written. With `register_as`,
    its exported networks are also logged as MLflow Models and registered as
    `ganbench-<gan>-<network>`, that alias pointing at this run's versions."""
    started = time.perf_counter()
    paths = paths or StagePaths()
    family = registry.family(gan)
    outputs = (paths.models, paths.metrics, paths.plots, paths.progress, paths.checkpoints)
    stage = runner.open_stage(params_path, paths.prepared, outputs, family.images)
    config = stage.config.section(gan, params_path)
    dataset = stage.dataset
    evaluating = config.schedule.evaluate_every > 0
    if evaluating:
        settings = progress_settings(stage.config.section("evaluate", params_path))

    compute = stage.config.compute
    loop.configure_runtime(config.schedule.xla, compute.deterministic)
    # Built before seeding: loading the reference draws initial weights it then replaces,
    # and the family's networks must start the same with or without the evaluations.
    yardstick = None
    if evaluating and family.images:
        yardstick = image_scores.Yardstick.build(load_reference(paths.reference), dataset, settings)
    precision = compute.precision
    model = runner.create_model(family, config, dataset, paths.prepared, compute)
    # What the step ran on, in the run's tags and its metrics: the device, the precision,
    # XLA's compiled cluster or TensorFlow's ops on oneDNN's or Eigen's kernels (each gives
    # its own round-off).
    ran_on = {
        "device": machine.device(),
        "precision": precision,
        "xla": config.schedule.xla,
        "cpu_kernels": machine.cpu_kernels(),
    }
    if evaluating:
        evaluator = ProgressEvaluator(family, config, model, dataset, yardstick, settings)
    work_dir = paths.checkpoints / gan
    samples_dir = work_dir / "samples"
    samples_dir.mkdir(parents=True, exist_ok=True)
    run = tracking.run("train", gan, f"train@{gan}", tags={"gan": gan}, system_metrics=True)
    with run as tracked:
        tracked.log_params(schema.flatten(config, f"{gan}."))
        tracked.log_params(
            {"data.dataset": stage.config.data.dataset, "compute.precision": precision}
        )
        tracked.set_tags({**ran_on, "deterministic": compute.deterministic or not devices.gpus()})
        if family.images:
            name = stage.config.data.dataset
            source = splits.dataset_path(paths.prepared, name)
            tracked.log_dataset(name, source, splits.digest(source))

        def on_log(step: int, losses: dict[str, float]) -> None:
            tracked.log_metrics({f"loss_{k}": v for k, v in losses.items()}, step=step)

        def on_sample(step: int) -> None:
            path = samples_dir / f"step-{step:06d}.png"
            model.save_samples(path, step, f"{family.step_unit} {step:,}")
            tracked.log_artifact(path, "samples")

        def on_evaluate(step: int) -> dict[str, float]:
            metrics = evaluator(step)
            tracked.log_metrics({f"progress_{k}": v for k, v in metrics.items()}, step=step)
            return metrics

        result = runner.train_model(
            model,
            config,
            work_dir / "checkpoint.npz",
            on_log,
            on_sample,
            on_evaluate if evaluating else None,
            stop_after,
            progress,
            compute,
        )
        if result.steps < config.schedule.iterations:
            return {"steps": result.steps, "stopped_early": True}

        models_out = paths.models / gan
        with atomic.staged_dir(models_out) as staging:
            for name, network in model.exported().items():
                network.save(staging / f"{name}.keras")
            shutil.copytree(samples_dir, staging / "samples")
            reporter = runner.Reporter("train", f"train@{gan}", staging)
            extra = model.after_training(dataset, reporter)
        metrics = {
            "gan": gan,
            "seed": config.schedule.seed,
            "steps": result.steps,
            "resumed_from": result.resumed_from,
            "wall_seconds": round(result.wall_seconds, 3),
            "steps_per_second": round(result.steps_per_second, 4),
            "evaluate_seconds": round(result.evaluate_seconds, 3),
            **ran_on,
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
        if register_as:
            register_models(tracked, gan, model, dataset, register_as)
        tracked.log_artifacts(models_out, "networks")
        atomic.write_json(paths.metrics / f"{gan}.json", metrics)
        atomic.write_csv(paths.plots / f"{gan}.csv", result.history, empty_header=("step",))
        atomic.write_csv(paths.progress / f"{gan}.csv", result.evaluations, empty_header=("step",))
    (work_dir / "checkpoint.npz").unlink(missing_ok=True)
    return metrics
