"""A tiny version of the whole pipeline's params and paths, under a temporary directory, for
tests that run several stages in-process on synthetic data."""

from __future__ import annotations

from pathlib import Path

import yaml

from ganbench.data import prepare
from ganbench.data.settings import DataParams
from ganbench.stages import evaluate as evaluate_stage
from ganbench.stages import reference as reference_stage
from ganbench.stages import report
from ganbench.stages import study as study_stage
from ganbench.stages import study_ceiling as ceiling_stage
from ganbench.stages import study_summary as summary_stage
from ganbench.stages import train as train_stage
from tests.tiny import REPO, tiny_dataset

FAMILIES = ("gan1d", "sgan", "sgan_fm")


def tiny_raw() -> dict:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    for gan in ("dcgan", "wgan", "acgan"):
        del raw[gan]  # the tiny pipeline covers the 1-D and the semi-supervised families
    raw["data"].update(label_counts=[20], label_seeds=[0, 1])
    tiny_schedule = {"iterations": 4, "batch_size": 4, "log_every": 2, "sample_every": 2}
    for gan in FAMILIES:
        raw[gan]["schedule"].update(tiny_schedule, checkpoint_every=2, xla=False)
    raw["sgan"]["labelled"].update(count=20)
    raw["sgan_fm"]["labelled"].update(count=20)
    raw["sgan_fm"]["generator"].update(units=[16])
    raw["sgan_fm"]["discriminator"].update(units=[24, 12], init_batch=40)
    raw["sgan"]["baseline"].update(epochs=2)
    raw["reference"].update(
        source="train", epochs=1, filters=[4, 8], feature_units=16, batch_size=32
    )
    raw["evaluate"].update(
        samples=60,
        real_samples=60,
        kid_subsets=3,
        kid_subset_size=20,
        nearest_k=3,
        progress_samples=40,
        progress_kid_subsets=2,
    )
    raw["study"].update(
        label_counts=[20],
        seeds=[0, 1],
        iterations={"sgan": {"20": 3}, "sgan_fm": {"20": 2}},
        label_spreading_pool=40,
        label_spreading_neighbors=3,
        ceiling_epochs=1,
    )
    return raw


def write_params(tmp_path: Path, raw: dict) -> str:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


def layout(tmp_path: Path) -> dict:
    """Prepared tiny data and the paths of every stage under tmp_path."""
    dataset = tiny_dataset()
    data = DataParams(dataset="mnist", label_counts=(20,), label_seeds=(0, 1))
    prepare.write_prepared(tmp_path / "prepared", data, dataset)
    return {
        "train": train_stage.StagePaths.under(
            tmp_path, tmp_path / "prepared", tmp_path / "models" / "reference" / "classifier.keras"
        ),
        "reference": reference_stage.ReferencePaths(
            prepared=tmp_path / "prepared",
            model_dir=tmp_path / "models" / "reference",
            metrics=tmp_path / "metrics" / "reference.json",
        ),
        "evaluate": evaluate_stage.EvaluatePaths(
            prepared=tmp_path / "prepared",
            models=tmp_path / "models",
            train_metrics=tmp_path / "metrics" / "train",
            metrics=tmp_path / "metrics",
            reference=tmp_path / "models" / "reference" / "classifier.keras",
        ),
        "cells": study_stage.StudyPaths(
            prepared=tmp_path / "prepared",
            cells=tmp_path / "results" / "study",
            checkpoints=tmp_path / "checkpoints" / "study",
        ),
        "ceiling": ceiling_stage.CeilingPaths(
            prepared=tmp_path / "prepared", result=tmp_path / "results" / "ceiling.json"
        ),
        "summary": summary_stage.SummaryPaths(
            cells=tmp_path / "results" / "study",
            ceiling=tmp_path / "results" / "ceiling.json",
            metrics=tmp_path / "metrics" / "study.json",
            table_csv=tmp_path / "plots" / "study.csv",
            figure=tmp_path / "plots" / "study.png",
        ),
        "report": report.ReportPaths(
            metrics=tmp_path / "metrics",
            train_metrics=tmp_path / "metrics" / "train",
            train_plots=tmp_path / "plots" / "train",
            reference_metrics=tmp_path / "metrics" / "reference.json",
            study_metrics=tmp_path / "metrics" / "study.json",
            study_figure=tmp_path / "plots" / "study.png",
            models=tmp_path / "models",
            results=tmp_path / "results",
            out_dir=tmp_path / "reports",
        ),
    }
