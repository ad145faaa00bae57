"""DVC stage `study_summary`: every cell of the label study -> the table with confidence
intervals and paired tests (metrics/study.json), its plot data (plots/study.csv), the figure
(plots/study.png), and the study's parent MLflow run with the cells' runs nested under it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench.config import params
from ganbench.plumbing import atomic, layout, machine, schema, stage_outputs, tracking
from ganbench.reporting import plots
from ganbench.study import aggregate, methods


@dataclass(frozen=True)
class SummaryPaths:
    cells: Path = layout.default_path("study_cells")
    ceiling: Path = layout.default_path("study_ceiling")
    metrics: Path = layout.default_path("study_metrics")
    table_csv: Path = layout.default_path("study_table")
    figure: Path = layout.default_path("study_figure")


def run(
    params_path: str = "params.yaml",
    paths: SummaryPaths | None = None,
    extra: Mapping[str, Mapping[tuple[int, int], float]] | None = None,
    partial: bool = False,
) -> dict[str, Any]:
    """Aggregate the cells; `extra` adds a method's accuracies run elsewhere, by (label
    count, seed) on the study's own subsets (the paper-profile SGAN-FM runs). `partial`:
    the cells finished so far (a long study under way), instead of failing on a missing
    one."""
    paths = paths or SummaryPaths()
    config_all = params.load(params_path)
    study = config_all.study(params_path)
    grid = [(n, s) for n in study.label_counts for s in study.seeds]
    if partial:
        grid = [(n, s) for n, s in grid if methods.cell_path(paths.cells, n, s).is_file()]
    results = [
        stage_outputs.read_json(methods.cell_path(paths.cells, n, s), f"study@{n}-{s}")
        for n, s in grid
    ]
    for method, values in (extra or {}).items():
        for result in results:
            if (result["labels"], result["seed"]) in values:
                result["accuracy"][method] = values[(result["labels"], result["seed"])]
    ceiling = stage_outputs.read_json(paths.ceiling, "study_ceiling")
    gans = [*study.iterations, *(extra or {})]
    compared = (*gans, *methods.methods(study)[len(study.iterations) :])
    table = aggregate.study_table(results, study.confidence, compared)
    summary = {
        "dataset": config_all.data.dataset,
        "sampling": study.sampling,
        "seeds": list(study.seeds),
        "confidence": study.confidence,
        "methods": list(compared),
        "paired_test": aggregate.PAIRED_TEST,
        "effect_size": aggregate.EFFECT_SIZE,
        "iterations": {
            gan: {str(n): per_count[str(n)] for n in study.label_counts}
            for gan, per_count in study.iterations.items()
        },
        "ceiling_all_labels": ceiling["test_accuracy"],
        "by_label_count": table,
        "cells": {f"{r['labels']}-{r['seed']}": r["accuracy"] for r in results},
        "published": methods.published_points(compared),
        "machine": machine.describe(),
    }
    tracking.connect()
    with tracking.run("study", "label study", "study_summary") as tracked:
        tracked.log_params(schema.flatten(study, "study."))
        tracked.log_metrics(
            {
                f"{method}_mean_{count}": entry["methods"][method]["mean"]
                for count, entry in table.items()
                for method in compared
                if method in entry["methods"]  # a method run at some counts only
            }
        )
        # before any output is written: a failure here must not leave a new table behind
        tracking.adopt(tracked.run_id, [r["mlflow_run_id"] for r in [*results, ceiling]])
        summary["mlflow_run_id"] = tracked.run_id
        atomic.write_json(paths.metrics, summary)
        atomic.write_csv(paths.table_csv, aggregate.table_csv_rows(table))
        plots.study_figure(
            table,
            methods.method_labels(compared),
            ceiling["test_accuracy"],
            study.confidence,
            paths.figure,
            f"{config_all.data.dataset}: test accuracy vs labels ({study.sampling} subsets, "
            + (
                f"{len(study.seeds)} seeds)"
                if len(grid) == len(study.seeds) * len(study.label_counts)
                else f"{len(grid)} cells so far)"
            ),
            published=summary["published"],
        )
        for path in (paths.metrics, paths.table_csv, paths.figure):
            tracked.log_artifact(path, "study")
    return summary
