"""reference -> evaluate -> study cells -> ceiling -> summary -> report, end to end on tiny
synthetic data in a temporary directory, plus the failures each stage must name clearly."""

from __future__ import annotations

import json

import pytest
import yaml

from ganbench import evaluate_stage, params, reference_stage, report, tracking, train_stage
from ganbench.data import prepare
from ganbench.params import DataParams
from ganbench.study import ceiling, cells, summary
from tests.tiny import REPO, tiny_dataset

FAMILIES = ("gan1d", "sgan")


def tiny_raw() -> dict:
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    for gan in ("dcgan", "wgan", "acgan"):
        del raw[gan]  # the tiny pipeline covers one 1-D and one image family
    raw["data"].update(label_counts=[20], label_seeds=[0, 1])
    tiny_schedule = {"iterations": 4, "batch_size": 4, "log_every": 2, "sample_every": 2}
    for gan in FAMILIES:
        raw[gan]["schedule"].update(tiny_schedule, checkpoint_every=2, xla=False)
    raw["sgan"]["labelled"].update(count=20)
    raw["sgan"]["baseline"].update(epochs=2)
    raw["reference"].update(epochs=1, filters=[4, 8], feature_units=16, batch_size=32)
    raw["evaluate"].update(
        samples=60, real_samples=60, kid_subsets=3, kid_subset_size=20, nearest_k=3
    )
    raw["study"].update(
        label_counts=[20],
        seeds=[0, 1],
        sgan_iterations={20: 3},
        label_spreading_pool=40,
        label_spreading_neighbors=3,
        ceiling_epochs=1,
    )
    return raw


def write_params(tmp_path, raw) -> str:
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return str(path)


@pytest.fixture
def layout(tmp_path):
    """Prepared tiny data and the paths of every stage under tmp_path."""
    dataset = tiny_dataset()
    data = DataParams(dataset="mnist", label_counts=(20,), label_seeds=(0, 1))
    prepare.write_prepared(tmp_path / "prepared", data, dataset)
    return {
        "train": train_stage.StagePaths(
            prepared=tmp_path / "prepared",
            models=tmp_path / "models",
            metrics=tmp_path / "metrics" / "train",
            plots=tmp_path / "plots" / "train",
            checkpoints=tmp_path / "checkpoints",
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
        ),
        "cells": cells.StudyPaths(
            prepared=tmp_path / "prepared",
            cells=tmp_path / "results" / "study",
            checkpoints=tmp_path / "checkpoints" / "study",
        ),
        "ceiling": ceiling.CeilingPaths(
            prepared=tmp_path / "prepared", result=tmp_path / "results" / "ceiling.json"
        ),
        "summary": summary.SummaryPaths(
            cells=tmp_path / "results" / "study",
            ceiling=tmp_path / "results" / "ceiling.json",
            metrics=tmp_path / "metrics" / "study.json",
            table_csv=tmp_path / "plots" / "study.csv",
            figure=tmp_path / "plots" / "study.png",
        ),
        "report": report.ReportPaths(
            metrics=tmp_path / "metrics",
            plots=tmp_path / "plots",
            models=tmp_path / "models",
            out_dir=tmp_path / "reports",
        ),
    }


def test_pipeline_after_training_end_to_end(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    for gan in FAMILIES:
        train_stage.run(gan, params_path, layout["train"], progress=False)
    ref = reference_stage.run(params_path, layout["reference"])
    assert 0.0 <= ref["test_accuracy"] <= 1.0 and len(ref["weights_hash"]) == 16

    image = evaluate_stage.run("sgan", params_path, layout["evaluate"])
    for key in ("fid", "kid", "kid_std", "precision", "recall", "classifier_score", "pixel_w1"):
        assert key in image and key in image["floor"] and key in image["untrained"]
    assert image["reference_weights_hash"] == ref["weights_hash"]
    assert len(image["sgan_classifier"]["confusion_matrix"]) == 10
    assert image["accuracy_difference"] == pytest.approx(
        image["test_accuracy"] - image["baseline_test_accuracy"]
    )
    one_d = evaluate_stage.run("gan1d", params_path, layout["evaluate"])
    assert {"mean", "std", "skewness", "kurtosis", "ks", "ks_pvalue", "w1"} <= set(one_d)
    assert one_d["noise"]["mean"] == pytest.approx(0.5, abs=0.05)  # U(0, 1) input noise

    # the metrics land, under the same names, on the GAN's training run
    written = json.loads((tmp_path / "metrics" / "sgan.json").read_text())
    run = tracking.connect().get_run(written["mlflow_run_id"])
    assert run.data.metrics["fid"] == pytest.approx(image["fid"])
    assert run.data.metrics["untrained_fid"] == pytest.approx(image["untrained"]["fid"])

    results = [cells.run_cell(20, seed, params_path, layout["cells"]) for seed in (0, 1)]
    assert {r["seed"] for r in results} == {0, 1}
    for result in results:
        assert set(result["accuracy"]) == {
            "sgan",
            "supervised",
            "logistic_regression",
            "label_spreading",
        }
    ceiling.run(params_path, layout["ceiling"])
    table = summary.run(params_path, layout["summary"])
    entry = table["by_label_count"]["20"]
    assert entry["methods"]["sgan"]["n"] == 2
    assert entry["methods"]["sgan"]["mean"] == pytest.approx(
        (results[0]["accuracy"]["sgan"] + results[1]["accuracy"]["sgan"]) / 2
    )
    assert layout["summary"].figure.stat().st_size > 0
    parent = table["mlflow_run_id"]
    for result in results:
        tags = tracking.connect().get_run(result["mlflow_run_id"]).data.tags
        assert tags["mlflow.parentRunId"] == parent

    out = report.run(params_path, layout["report"])
    text = out.read_text()
    assert "| 20 |" in text and "floor: real test images" in text
    assert written["mlflow_run_id"] in text
    for name in ("sgan-samples.png", "sgan-losses.png", "gan1d-samples.png", "study.png"):
        assert (out.parent / "figures" / name).is_file()


def test_evaluate_before_train_names_the_missing_stage(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    with pytest.raises(FileNotFoundError, match=r"run the train@sgan stage"):
        evaluate_stage.run("sgan", params_path, layout["evaluate"])
    assert not (tmp_path / "metrics" / "sgan.json").exists()


def test_evaluate_without_reference_names_the_reference_stage(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    train_stage.run("sgan", params_path, layout["train"], progress=False)
    with pytest.raises(FileNotFoundError, match=r"run the reference stage"):
        evaluate_stage.run("sgan", params_path, layout["evaluate"])
    assert not (tmp_path / "metrics" / "sgan.json").exists()


def test_summary_names_a_missing_cell(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    with pytest.raises(FileNotFoundError, match=r"run the study@20-0 stage"):
        summary.run(params_path, layout["summary"])


def test_study_params_must_match_prepared_subsets(tmp_path):
    raw = tiny_raw()
    raw["study"].update(label_counts=[20, 50], seeds=[0, 3])
    config_all = params.parse(raw)
    with pytest.raises(params.ParamsError) as err:
        cells.study_params(config_all, "params.yaml")
    message = str(err.value)
    assert "study.label_counts: 50 is not in data.label_counts" in message
    assert "study.seeds: 3 is not in data.label_seeds" in message
    assert "study.sgan_iterations: no entry for label count 50" in message


def test_study_iterations_are_checked_per_label_count():
    raw = tiny_raw()
    raw["study"]["sgan_iterations"] = {20: 0, "x": 5}
    with pytest.raises(params.ParamsError, match=r"study.sgan_iterations\['x'\] key"):
        params.parse(raw)
    raw["study"]["sgan_iterations"] = {20: 0}
    with pytest.raises(params.ParamsError, match=r"study.sgan_iterations\[20\]: must be > 0"):
        params.parse(raw)
