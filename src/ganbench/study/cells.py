"""One cell of the label study (`study@<labels>-<seed>`): on one labelled subset, the seed
SGAN, the feature-matching SGAN of Salimans et al. (`sgan_fm`), the supervised network they
are compared with, and the two scikit-learn baselines.

Every method sees exactly the same labelled images; the GANs and LabelSpreading also see
unlabelled ones. The cell writes results/study/<labels>-<seed>.json and logs one MLflow run;
the summary stage later files that run under the study's parent run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganbench import atomic, params, tracking, training
from ganbench.data import labels, prepare
from ganbench.models import sgan, sgan_fm
from ganbench.models.base import scale_images
from ganbench.params import (
    balanced_label_count,
    checked,
    each,
    each_value,
    non_empty,
    non_negative,
    one_of,
    positive,
    unit_interval,
)
from ganbench.study import classical


@dataclass(frozen=True)
class StudyParams:
    label_counts: tuple[int, ...] = checked(non_empty, each(balanced_label_count))
    seeds: tuple[int, ...] = checked(non_empty, each(non_negative))
    sampling: str = checked(one_of(*labels.SAMPLINGS))
    # SGAN iterations per label count, keyed by the count as a string ("100") so that
    # `dvc exp run -S study.sgan_iterations.100=...` can address one entry; a cell re-runs
    # only when its own count's entry changes.
    sgan_iterations: Mapping[str, int] = checked(each_value(positive))
    sgan_fm_iterations: Mapping[str, int] = checked(each_value(positive))  # keyed the same
    logistic_c: float = checked(positive)
    logistic_max_iter: int = checked(positive)
    label_spreading_pool: int = checked(positive)  # unlabelled images LabelSpreading sees
    label_spreading_neighbors: int = checked(positive)
    ceiling_epochs: int = checked(positive)  # the supervised network on every label
    confidence: float = checked(unit_interval)


@dataclass(frozen=True)
class StudyPaths:
    prepared: Path = Path("data/prepared")
    cells: Path = Path("results/study")
    checkpoints: Path = Path("checkpoints/study")


def study_params(config_all: params.Params, source: str) -> StudyParams:
    """The study section, checked against the data section it draws subsets from."""
    study: StudyParams = config_all.section("study", source)
    data = config_all.data
    problems = [
        f"study.label_counts: {n} is not in data.label_counts (no prepared subset)"
        for n in study.label_counts
        if n not in data.label_counts
    ]
    problems += [
        f"study.seeds: {s} is not in data.label_seeds (no prepared subset)"
        for s in study.seeds
        if s not in data.label_seeds
    ]
    counts = {str(n) for n in study.label_counts}
    for field in ("sgan_iterations", "sgan_fm_iterations"):
        per_count = getattr(study, field)
        problems += [
            f'study.{field}: no entry "{n}" for label count {n}'
            for n in study.label_counts
            if str(n) not in per_count
        ]
        problems += [
            f'study.{field}: key "{key}" is not one of study.label_counts'
            for key in per_count
            if key not in counts
        ]
    if problems:
        raise params.ParamsError(source, problems)
    return study


def cell_path(cells_dir: Path, count: int, seed: int) -> Path:
    return cells_dir / f"{count}-{seed}.json"


def cell_config(
    base: Any, iterations: Mapping[str, int], study: StudyParams, count: int, seed: int
) -> Any:
    """A semi-supervised GAN's config (`sgan` or `sgan_fm`) on this cell's subset, seed and
    iteration budget."""
    schedule = dataclasses.replace(base.schedule, iterations=iterations[str(count)], seed=seed)
    labelled = dataclasses.replace(base.labelled, count=count, seed=seed, sampling=study.sampling)
    return dataclasses.replace(base, schedule=schedule, labelled=labelled)


def run_cell(
    count: int, seed: int, params_path: str = "params.yaml", paths: StudyPaths | None = None
) -> dict[str, Any]:
    paths = paths or StudyPaths()
    config_all = params.load(params_path)
    study = study_params(config_all, params_path)
    if count not in study.label_counts or seed not in study.seeds:
        raise params.ParamsError(
            params_path, [f"study: cell {count}-{seed} is not in study.label_counts x seeds"]
        )
    configs = {
        "sgan": cell_config(
            config_all.section("sgan", params_path), study.sgan_iterations, study, count, seed
        ),
        "sgan_fm": cell_config(
            config_all.section("sgan_fm", params_path),
            study.sgan_fm_iterations,
            study,
            count,
            seed,
        ),
    }
    dataset = prepare.load(paths.prepared, config_all.data.dataset)
    chosen = labels.load_subset(paths.prepared / "labels", count, seed, study.sampling)
    tracking.connect()
    atomic.ensure_writable(paths.cells, paths.checkpoints)
    training.set_determinism(seed, configs["sgan"].schedule.xla)
    y_test = dataset.y_test.astype(np.int64)
    name = f"{count}-{seed}"
    tags = {"labels": count, "seed": seed, "sampling": study.sampling}
    with tracking.run("study", f"cell {name}", f"study@{name}", tags=tags) as tracked:
        tracked.log_params(params.flatten(study, "study."))
        accuracy, steps, seconds, checkpointers = {}, {}, {}, []
        for gan, module in (("sgan", sgan), ("sgan_fm", sgan_fm)):
            config = configs[gan]
            tracked.log_params(params.flatten(config, f"{gan}."))
            training.set_determinism(seed, config.schedule.xla)  # each GAN from a fresh seed
            model = module.create(config, dataset, paths.prepared)
            checkpointers.append(
                training.Checkpointer(
                    paths.checkpoints / f"{name}-{gan}.npz", model, training.fingerprint(config)
                )
            )
            result = training.train(
                model,
                checkpointers[-1],
                on_log=lambda step, losses, gan=gan: tracked.log_metrics(
                    {f"{gan}_loss_{k}": v for k, v in losses.items()}, step=step
                ),
                on_sample=lambda step: None,
                progress=False,
            )
            x_test = scale_images(dataset.x_test, config.pixel_range)
            accuracy[gan] = float(np.mean(model.predict_classes(x_test) == y_test))
            steps[gan], seconds[gan] = result.steps, round(result.wall_seconds, 3)
            if gan == "sgan":  # the supervised network is the seed SGAN's discriminator
                baseline, _ = sgan.train_baseline(
                    config, model.labelled_x.numpy(), model.labelled_y.numpy()
                )
                probabilities = baseline.predict(x_test, batch_size=1000, verbose=0)
                accuracy["supervised"] = float(np.mean(np.argmax(probabilities, -1) == y_test))
        accuracy.update(classical_accuracies(dataset, chosen, study, seed))
        tracked.log_metrics({f"accuracy_{k}": v for k, v in accuracy.items()})
        cell = {
            "labels": count,
            "seed": seed,
            "sampling": study.sampling,
            "iterations": steps,
            "wall_seconds": seconds,
            "accuracy": accuracy,
            "mlflow_run_id": tracked.run_id,
        }
        atomic.write_json(cell_path(paths.cells, count, seed), cell)
    for checkpointer in checkpointers:
        checkpointer.remove()
    return cell


def classical_accuracies(
    dataset: prepare.Dataset, chosen: np.ndarray, study: StudyParams, seed: int
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
