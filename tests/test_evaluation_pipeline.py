"""reference -> evaluate -> study cells -> ceiling -> summary -> report, end to end on tiny
synthetic data in a temporary directory, plus the failures each stage must name clearly."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest

from ganbench.config import params
from ganbench.models.base import scale_images
from ganbench.plumbing import tracking
from ganbench.stages import evaluate as evaluate_stage
from ganbench.stages import reference as reference_stage
from ganbench.stages import report
from ganbench.stages import study as study_stage
from ganbench.stages import study_ceiling as ceiling_stage
from ganbench.stages import study_summary as summary_stage
from ganbench.stages import train as train_stage
from ganbench.study import methods
from tests import tiny_pipeline
from tests.tiny import tiny_dataset
from tests.tiny_pipeline import FAMILIES, tiny_raw, write_params


@pytest.fixture
def layout(tmp_path):
    return tiny_pipeline.layout(tmp_path)


def test_pipeline_after_training_end_to_end(tmp_path, layout, monkeypatch):
    # MLflow samples system metrics once per interval (10 s by default) while a run is open;
    # tiny runs last a few seconds, so sample often enough for one to land in each
    monkeypatch.setenv("MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL", "0.2")
    params_path = write_params(tmp_path, tiny_raw())
    ref = reference_stage.run(params_path, layout["reference"])
    assert 0.0 <= ref["test_accuracy"] <= 1.0 and len(ref["weights_hash"]) == 16
    for gan in FAMILIES:
        # the classifiers registered, as the pipeline's train stage registers them
        alias = "default-profile" if gan == "sgan" else None
        train_stage.run(gan, params_path, layout["train"], progress=False, register_as=alias)
    # every evaluate_every steps and at the end, from the untrained step 0
    with open(layout["train"].progress / "sgan.csv") as handle:
        curve = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in curve] == [0, 4]
    assert {"fid", "kid", "precision", "recall", "class_entropy", "test_accuracy"} <= set(curve[0])
    trained = json.loads((layout["train"].metrics / "sgan.json").read_text())
    history = tracking.connect().get_metric_history(trained["mlflow_run_id"], "progress_fid")
    assert [m.step for m in history] == [0, 4]
    assert history[-1].value == pytest.approx(float(curve[-1]["fid"]))

    trained_run = tracking.connect().get_run(trained["mlflow_run_id"]).info
    image = evaluate_stage.run("sgan", params_path, layout["evaluate"])
    evaluated_run = tracking.connect().get_run(trained["mlflow_run_id"]).info
    # evaluation adds to the training run without reopening it: its times stay training's
    assert (evaluated_run.start_time, evaluated_run.end_time, evaluated_run.status) == (
        trained_run.start_time,
        trained_run.end_time,
        "FINISHED",
    )
    for key in ("fid", "kid", "kid_std", "precision", "recall", "classifier_score", "pixel_w1"):
        assert key in image and key in image["floor"] and key in image["untrained"]
    assert image["reference_weights_hash"] == ref["weights_hash"]
    # FID∞ beside FID-style at N, the generator's and the floor's
    infinity = image["fid_infinity"]
    assert np.isfinite(infinity["fid_infinity"]) and infinity["sizes"][-1] == 60
    assert np.isfinite(image["floor"]["fid_infinity"]["fid_infinity"])
    # the figures over evaluate.sample_seeds draws: the seed-0 draw is the headline one
    draws = image["sample_draws"]
    assert draws["seeds"] == [0, 1, 2]
    fid_draws = draws["figures"]["fid"]["per_draw"]
    assert fid_draws[0] == image["fid"] and len(set(fid_draws)) == 3
    assert draws["figures"]["fid"]["sd"] == pytest.approx(np.std(fid_draws, ddof=1))
    assert len(draws["figures"]["fid_infinity"]["per_draw"]) == 3
    assert 0.0 <= image["class_entropy"] <= np.log(10) + 1e-12
    # the classifiers' figures are training's, written once (metrics/train/<gan>.json)
    assert "test_accuracy" not in image
    assert len(trained["classifier"]["confusion_matrix"]) == 10
    assert trained["accuracy_gain_over_baseline"] == pytest.approx(
        trained["test_accuracy"] - trained["baseline_test_accuracy"]
    )
    improved = evaluate_stage.run("sgan_fm", params_path, layout["evaluate"])
    trained_fm = json.loads((layout["train"].metrics / "sgan_fm.json").read_text())
    assert trained_fm["test_accuracy"] == pytest.approx(trained_fm["classifier"]["accuracy"])
    assert trained_fm["test_errors"] == round(
        (1 - trained_fm["test_accuracy"]) * trained_fm["test_count"]
    )
    assert trained_fm["test_count"] == 40 and "baseline_test_accuracy" not in trained_fm
    assert "fid" in improved and "fid" in improved["untrained"]
    one_d = evaluate_stage.run("gan1d", params_path, layout["evaluate"])
    assert {"mean", "std", "skewness", "kurtosis", "ks", "ks_pvalue", "w1"} <= set(one_d)
    assert one_d["noise"]["mean"] == pytest.approx(0.5, abs=0.05)  # U(0, 1) input noise
    # its shape kept beside the moments, on bins around the target: every seed's comparable
    hist = one_d["histogram"]
    widths = np.diff(hist["edges"])
    assert hist["edges"][0] == pytest.approx(one_d["target_mean"] - 4 * one_d["target_std"])
    assert np.dot(hist["density"], widths) == pytest.approx(1 - hist["outside_share"])

    # the classifier, registered as an MLflow Model, predicts offline through pyfunc
    import mlflow.pyfunc

    classifier = mlflow.pyfunc.load_model("models:/ganbench-sgan-classifier@default-profile")
    dataset = tiny_dataset()
    probabilities = np.asarray(classifier.predict(scale_images(dataset.x_test, "symmetric")))
    accuracy = float(np.mean(probabilities.argmax(axis=-1) == dataset.y_test))
    assert probabilities.shape == (40, 10) and accuracy == pytest.approx(trained["test_accuracy"])
    run = tracking.connect().get_run(trained["mlflow_run_id"])
    assert [d.dataset.name for d in run.inputs.dataset_inputs] == ["mnist"]
    assert any(key.startswith("system/") for key in run.data.metrics)

    # the metrics land, under the same names, on the GAN's training run
    written = json.loads((tmp_path / "metrics" / "sgan.json").read_text())
    run = tracking.connect().get_run(written["mlflow_run_id"])
    assert run.data.metrics["fid"] == pytest.approx(image["fid"])
    assert run.data.tags["seeds"] == "1 seed, no interval (seed 0)"
    assert run.data.metrics["untrained_fid"] == pytest.approx(image["untrained"]["fid"])

    results = [study_stage.run_cell(20, seed, params_path, layout["cells"]) for seed in (0, 1)]
    assert {r["seed"] for r in results} == {0, 1}
    for result in results:
        assert set(result["accuracy"]) == {
            "sgan",
            "sgan_fm",
            "supervised",
            "logistic_regression",
            "label_spreading",
        }
        assert result["iterations"] == {"sgan": 3, "sgan_fm": 2}
    ceiling_stage.run(params_path, layout["ceiling"])
    table = summary_stage.run(params_path, layout["summary"])
    entry = table["by_label_count"]["20"]
    assert entry["methods"]["sgan"]["n"] == 2
    assert entry["methods"]["sgan"]["mean"] == pytest.approx(
        (results[0]["accuracy"]["sgan"] + results[1]["accuracy"]["sgan"]) / 2
    )
    assert entry["methods"]["sgan_fm"]["mean"] == pytest.approx(
        (results[0]["accuracy"]["sgan_fm"] + results[1]["accuracy"]["sgan_fm"]) / 2
    )
    paired = entry["vs_supervised"]["sgan_fm"]
    assert paired["n"] == 2 and "effect_size" in paired and "ci_low" in paired
    assert "supervised" not in entry["vs_supervised"]
    assert table["iterations"] == {"sgan": {"20": 3}, "sgan_fm": {"20": 2}}
    assert layout["summary"].figure.stat().st_size > 0
    parent = table["mlflow_run_id"]
    for result in results:
        tags = tracking.connect().get_run(result["mlflow_run_id"]).data.tags
        assert tags["mlflow.parentRunId"] == parent

    out = report.run(params_path, layout["report"])
    text = out.read_text()
    assert "| 20 |" in text and "floor: real test images" in text
    assert "SGAN, feature matching (Salimans et al.)" in text
    assert "SGAN, feature matching (Salimans et al.): classifier test accuracy" in text
    assert written["mlflow_run_id"] in text
    assert "`sgan_fm` is not a seed" in text
    for name in ("sgan-samples.png", "sgan-losses.png", "gan1d-samples.png", "study.png"):
        assert (out.parent / "figures" / name).is_file()


def test_report_calls_only_the_seed_families_seeds():
    only_seeds = report.trained_how(["gan1d", "sgan"])
    assert only_seeds.startswith("The seed families (`gan1d`, `sgan`) were trained")
    assert "not a seed" not in only_seeds
    with_fm = report.trained_how(["sgan", "sgan_fm"])
    assert "(`sgan`)" in with_fm and "`sgan_fm` is not a seed" in with_fm


def test_evaluate_before_train_names_the_missing_stage(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    with pytest.raises(FileNotFoundError, match=r"run the train@sgan stage"):
        evaluate_stage.run("sgan", params_path, layout["evaluate"])
    assert not (tmp_path / "metrics" / "sgan.json").exists()


def test_train_and_evaluate_without_reference_name_the_reference_stage(tmp_path, layout):
    raw = tiny_raw()
    params_path = write_params(tmp_path, raw)
    with pytest.raises(FileNotFoundError, match=r"run the reference stage"):
        train_stage.run("sgan", params_path, layout["train"], progress=False)
    assert not (tmp_path / "metrics" / "train" / "sgan.json").exists()
    raw["sgan"]["schedule"]["evaluate_every"] = 0  # no scoring during training
    params_path = write_params(tmp_path, raw)
    train_stage.run("sgan", params_path, layout["train"], progress=False)
    with pytest.raises(FileNotFoundError, match=r"run the reference stage"):
        evaluate_stage.run("sgan", params_path, layout["evaluate"])
    assert not (tmp_path / "metrics" / "sgan.json").exists()


def test_summary_names_a_missing_cell(tmp_path, layout):
    params_path = write_params(tmp_path, tiny_raw())
    with pytest.raises(FileNotFoundError, match=r"run the study@20-0 stage"):
        summary_stage.run(params_path, layout["summary"])


def test_study_params_must_match_prepared_subsets():
    raw = tiny_raw()
    raw["study"].update(label_counts=[20, 50], seeds=[0, 3])
    config = params.parse(raw)  # the other stages run: the study's own stages refuse it
    with pytest.raises(params.ParamsError) as err:
        config.study()
    message = str(err.value)
    assert "study.label_counts: 50 is not in data.label_counts" in message
    assert "study.seeds: 3 is not in data.label_seeds" in message
    assert 'study.iterations.sgan: no entry "50" for label count 50' in message
    assert 'study.iterations.sgan_fm: no entry "50" for label count 50' in message


def test_study_iterations_keys_must_be_label_counts_of_semi_supervised_families():
    raw = tiny_raw()
    raw["study"]["iterations"]["sgan"] = {"20": 3, "2O": 5}
    raw["study"]["iterations"]["dcgan"] = {"20": 3}
    with pytest.raises(params.ParamsError) as err:
        params.parse(raw).study()
    assert 'study.iterations.sgan: key "2O" is not one of study.label_counts' in str(err.value)
    assert "study.iterations.dcgan: not a semi-supervised GAN family" in str(err.value)
    del raw["study"]["iterations"]["sgan"], raw["study"]["iterations"]["dcgan"]
    with pytest.raises(params.ParamsError, match=r"study\.iterations: must include sgan"):
        params.parse(raw).study()


def test_study_iterations_are_checked_per_label_count():
    raw = tiny_raw()
    raw["study"]["iterations"]["sgan"] = {20: 5}  # YAML `20:` without quotes is an integer
    integer_key = r"study.iterations\['sgan'\]\[20\] key: must be a string"
    with pytest.raises(params.ParamsError, match=integer_key):
        params.parse(raw)
    raw["study"]["iterations"]["sgan"] = {"20": 0}
    with pytest.raises(
        params.ParamsError, match=r"study.iterations\['sgan'\]\['20'\]: must be > 0"
    ):
        params.parse(raw)


def test_summary_nests_runs_it_has_and_records_the_ids_of_runs_it_lacks():
    # a cell DVC skipped on this machine keeps the run id of the store it ran in
    with tracking.run("study", "cell", "study@20-0") as cell:
        pass
    made_elsewhere = "0123456789abcdef0123456789abcdef"
    with tracking.run("study", "label study", "study_summary") as parent:
        assert tracking.adopt(parent.run_id, [cell.run_id, made_elsewhere]) == [made_elsewhere]
    client = tracking.connect()
    assert client.get_run(cell.run_id).data.tags["mlflow.parentRunId"] == parent.run_id
    tags = client.get_run(parent.run_id).data.tags
    assert tags["ganbench.runs_from_another_store"] == made_elsewhere
    assert client.get_run(parent.run_id).info.status == "FINISHED"


def test_summary_that_cannot_nest_its_runs_writes_nothing(tmp_path, layout, monkeypatch):
    params_path = write_params(tmp_path, tiny_raw())
    config = params.load(params_path)
    paths = layout["summary"]
    paths.cells.mkdir(parents=True, exist_ok=True)
    for seed in (0, 1):
        cell = {
            "labels": 20,
            "seed": seed,
            "accuracy": {m: 0.5 + 0.1 * seed for m in methods.methods(config.section("study"))},
            "mlflow_run_id": f"{seed:032x}",
        }
        methods.cell_path(paths.cells, 20, seed).write_text(json.dumps(cell))
    paths.ceiling.write_text(json.dumps({"test_accuracy": 0.9, "mlflow_run_id": "f" * 32}))

    def store_down(parent_run_id, child_run_ids):
        raise OSError("tracking store unreachable")

    monkeypatch.setattr(tracking, "adopt", store_down)
    with pytest.raises(OSError, match="unreachable"):
        summary_stage.run(params_path, paths)
    assert not paths.metrics.exists() and not paths.table_csv.exists()
    assert not paths.figure.exists()
    assert [r.info.status for r in tracking.find_runs("study")] == ["FAILED"]


def test_density_histogram_integrates_to_the_share_inside_its_bins():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(4.0, 1.25, 9_900), np.full(100, 20.0)])  # 1 % far out
    hist = evaluate_stage.density_histogram(values, 4.0, 1.25)
    widths = np.diff(hist["edges"])
    assert hist["edges"][0] == pytest.approx(4.0 - 5.0) and hist["edges"][-1] == pytest.approx(9.0)
    assert hist["outside_share"] == pytest.approx(0.01 + 9_900 / 10_000 * 6.3e-5, abs=2e-4)
    assert np.dot(hist["density"], widths) == pytest.approx(1 - hist["outside_share"])
    # the normal part matches the target density where it has mass
    centre = len(widths) // 2
    assert hist["density"][centre] == pytest.approx(0.99 / (1.25 * np.sqrt(2 * np.pi)), rel=0.1)
