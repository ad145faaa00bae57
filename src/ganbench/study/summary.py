"""DVC stage `study_summary`: every cell of the label study -> the table with confidence
intervals and paired tests (metrics/study.json), its plot data (plots/study.csv), the figure
(plots/study.png), and the study's parent MLflow run with the cells' runs nested under it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlflow.exceptions import MlflowException

from ganbench import atomic, params, plots, stage_outputs, tracking
from ganbench.study import aggregate, cells


@dataclass(frozen=True)
class SummaryPaths:
    cells: Path = Path("results/study")
    ceiling: Path = Path("results/study_ceiling.json")
    metrics: Path = Path("metrics/study.json")
    table_csv: Path = Path("plots/study.csv")
    figure: Path = Path("plots/study.png")


def run(params_path: str = "params.yaml", paths: SummaryPaths | None = None) -> dict[str, Any]:
    paths = paths or SummaryPaths()
    config_all = params.load(params_path)
    study = cells.study_params(config_all, params_path)
    results = [
        stage_outputs.read_json(cells.cell_path(paths.cells, n, s), f"study@{n}-{s}")
        for n in study.label_counts
        for s in study.seeds
    ]
    ceiling = stage_outputs.read_json(paths.ceiling, "study_ceiling")
    table = aggregate.study_table(results, study.confidence)
    summary = {
        "dataset": config_all.data.dataset,
        "sampling": study.sampling,
        "seeds": list(study.seeds),
        "confidence": study.confidence,
        "paired_test": aggregate.PAIRED_TEST,
        "sgan_iterations": {str(n): study.sgan_iterations[str(n)] for n in study.label_counts},
        "sgan_fm_iterations": {
            str(n): study.sgan_fm_iterations[str(n)] for n in study.label_counts
        },
        "ceiling_all_labels": ceiling["test_accuracy"],
        "by_label_count": table,
        "cells": {f"{r['labels']}-{r['seed']}": r["accuracy"] for r in results},
    }
    tracking.connect()
    with tracking.run("study", "label study", "study_summary") as tracked:
        tracked.log_params(params.flatten(study, "study."))
        tracked.log_metrics(
            {
                f"{method}_mean_{count}": entry["methods"][method]["mean"]
                for count, entry in table.items()
                for method in aggregate.METHODS
            }
        )
        # before any output is written: a failure here must not leave a new table behind
        nest_runs(tracked.run_id, [r["mlflow_run_id"] for r in [*results, ceiling]])
        summary["mlflow_run_id"] = tracked.run_id
        atomic.write_json(paths.metrics, summary)
        atomic.write_csv(paths.table_csv, aggregate.table_csv_rows(table))
        plots.accuracy_curves(
            table,
            ceiling["test_accuracy"],
            study.confidence,
            paths.figure,
            f"{config_all.data.dataset}: test accuracy vs labels ({study.sampling} subsets, "
            f"{len(study.seeds)} seeds)",
        )
        for path in (paths.metrics, paths.table_csv, paths.figure):
            tracked.log_artifact(path, "study")
    return summary


def nest_runs(parent_run_id: str, child_run_ids: list[str]) -> None:
    """Nest the cells' and the ceiling's runs under the study's run. A run this MLflow store
    lacks (DVC skipped its stage here because the committed output was current) cannot be
    nested; its id is recorded on the study's run instead of failing the summary."""
    client = tracking.connect()
    present, elsewhere = [], []
    for run_id in child_run_ids:
        try:
            client.get_run(run_id)
        except MlflowException as error:
            if error.error_code != "RESOURCE_DOES_NOT_EXIST":
                raise  # the store itself failed: not a run from elsewhere
            elsewhere.append(run_id)
        else:
            present.append(run_id)
    tracking.adopt(parent_run_id, present)
    if elsewhere:
        client.set_tag(parent_run_id, "ganbench.runs_from_another_store", ",".join(elsewhere))
