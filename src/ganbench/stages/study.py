"""One cell of the label study (`study@<labels>-<seed>`): on one labelled subset, each
semi-supervised GAN of study.iterations, the supervised network they are compared with (the
baseline family's classifier network trained on the labels alone), and the two scikit-learn
baselines.

Every method sees exactly the same labelled images; the GANs and LabelSpreading also see
unlabelled ones. The cell writes results/study/<labels>-<seed>.json and logs one MLflow run;
the summary stage later files that run under the study's parent run.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.config import params
from ganbench.config.params import StudyParams
from ganbench.data import splits
from ganbench.models import registry
from ganbench.models.semi_supervised import labelled_indices
from ganbench.plumbing import atomic, layout, schema, tracking
from ganbench.study import classical
from ganbench.study.methods import SUPERVISED, cell_path
from ganbench.training import runner
from ganbench.training.progress import ProgressEvaluator


@dataclass(frozen=True)
class StudyPaths:
    prepared: Path = layout.default_path("prepared")
    cells: Path = layout.default_path("study_cells")
    checkpoints: Path = layout.default_path("study_checkpoints")


def cell_config(base: Any, gan: str, study: StudyParams, count: int, seed: int) -> Any:
    """A semi-supervised GAN's config on this cell's subset, seed and iteration budget."""
    iterations = study.iterations[gan][str(count)]
    schedule = dataclasses.replace(base.schedule, iterations=iterations, seed=seed)
    labelled = dataclasses.replace(base.labelled, count=count, seed=seed, sampling=study.sampling)
    return dataclasses.replace(base, schedule=schedule, labelled=labelled)


def run_cell(
    count: int, seed: int, params_path: str = "params.yaml", paths: StudyPaths | None = None
) -> dict[str, Any]:
    """Train every GAN of study.iterations on this cell's labelled subset (the baseline
    family's hook trains the supervised network beside it), then the classical baselines."""
    paths = paths or StudyPaths()
    stage = runner.open_stage(params_path, paths.prepared, (paths.cells, paths.checkpoints))
    study = stage.config.study(params_path)
    if count not in study.label_counts or seed not in study.seeds:
        raise params.ParamsError(
            params_path, [f"study: cell {count}-{seed} is not in study.label_counts x seeds"]
        )
    configs = {
        gan: cell_config(stage.config.section(gan, params_path), gan, study, count, seed)
        for gan in study.iterations
    }
    dataset = stage.dataset
    # the subset every method of the cell sees, as the GANs' configs name it
    chosen = labelled_indices(next(iter(configs.values())).labelled, paths.prepared)
    name = f"{count}-{seed}"
    tags = {"labels": count, "seed": seed, "sampling": study.sampling}
    checkpoints = [paths.checkpoints / f"{name}-{gan}.npz" for gan in configs]
    with tracking.run("study", f"cell {name}", f"study@{name}", tags=tags) as tracked:
        tracked.log_params(schema.flatten(study, "study."))
        # the cell keeps the figures the families return, not their extra runs or networks
        reporter = runner.Reporter("study", f"study@{name}", None, nested_runs=False)
        accuracy, steps, seconds, curves = {}, {}, {}, {}
        for (gan, config), checkpoint in zip(configs.items(), checkpoints, strict=True):
            tracked.log_params(schema.flatten(config, f"{gan}."))
            family = registry.family(gan)
            model = runner.create_model(
                family, config, dataset, paths.prepared, stage.config.compute
            )
            # the classifier's test accuracy every evaluate_every steps: how long it takes
            # to work at this label count (no generator scoring in a cell)
            curve = None
            if config.schedule.evaluate_every:
                settings = stage.config.section("evaluate", params_path)
                curve = ProgressEvaluator(family, config, model, dataset, None, settings)
            result = runner.train_model(
                model,
                config,
                checkpoint,
                on_log=lambda step, losses, gan=gan: tracked.log_metrics(
                    {f"{gan}_loss_{k}": v for k, v in losses.items()}, step=step
                ),
                on_evaluate=curve,
                progress=False,
                compute=stage.config.compute,
            )
            curves[gan] = result.evaluations
            figures = model.after_training(dataset, reporter)
            accuracy[gan] = figures["classifier"]["accuracy"]
            if family.supervised_baseline:
                accuracy[SUPERVISED] = figures["baseline_test_accuracy"]
            steps[gan], seconds[gan] = result.steps, round(result.wall_seconds, 3)
        accuracy.update(classical_accuracies(dataset, chosen, study, seed))
        tracked.log_metrics({f"accuracy_{k}": v for k, v in accuracy.items()})
        cell = {
            "labels": count,
            "seed": seed,
            "sampling": study.sampling,
            "iterations": steps,
            "wall_seconds": seconds,
            "accuracy": accuracy,
            "curves": curves,
            "mlflow_run_id": tracked.run_id,
        }
        atomic.write_json(cell_path(paths.cells, count, seed), cell)
    for checkpoint in checkpoints:
        checkpoint.unlink(missing_ok=True)
    return cell


def classical_accuracies(
    dataset: splits.Dataset, chosen: np.ndarray, study: StudyParams, seed: int
) -> dict[str, float]:
    """LogisticRegression on the labelled images; LabelSpreading with a seeded pool of
    unlabelled ones."""
    x_lab, y_lab = dataset.x_train[chosen], dataset.y_train[chosen].astype(np.int64)
    unlabelled = np.setdiff1d(np.arange(len(dataset.x_train)), chosen)
    pool_size = min(study.label_spreading_pool, len(unlabelled))
    pool = np.random.default_rng(seed).choice(unlabelled, pool_size, replace=False)
    y_test = dataset.y_test.astype(np.int64)
    return {
        "logistic_regression": classical.logistic_regression_accuracy(
            x_lab, y_lab, dataset.x_test, y_test, study.logistic_c, study.logistic_max_iter
        ),
        "label_spreading": classical.label_spreading_accuracy(
            x_lab,
            y_lab,
            dataset.x_train[pool],
            dataset.x_test,
            y_test,
            study.label_spreading_neighbors,
        ),
    }
