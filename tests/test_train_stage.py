"""The train stage end to end on tiny data: outputs, tracking, and failures that leave nothing."""

import json

import keras
import numpy as np
import pytest
import yaml

from ganbench.config import params
from ganbench.data import splits
from ganbench.models import registry
from ganbench.models.gan1d import model as gan1d
from ganbench.plumbing import machine, tracking
from ganbench.stages import train as train_stage
from tests.tiny import REPO, tiny_dataset


def tiny_params(tmp_path, **gan1d_schedule):
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["gan1d"]["schedule"].update(
        {
            "iterations": 6,
            "log_every": 2,
            "sample_every": 3,
            "checkpoint_every": 2,
            "xla": False,
            **gan1d_schedule,
        }
    )
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.fixture
def paths(tmp_path):
    return train_stage.StagePaths.under(
        tmp_path, tmp_path / "prepared", tmp_path / "reference" / "classifier.keras"
    )


def test_stage_writes_model_metrics_plots_and_finished_run(tmp_path, paths):
    metrics = train_stage.run("gan1d", str(tiny_params(tmp_path)), paths, progress=False)
    assert (paths.models / "gan1d" / "generator.keras").is_file()
    assert sorted(p.name for p in (paths.models / "gan1d" / "samples").iterdir()) == [
        "step-000003.png",
        "step-000006.png",
    ]
    written = json.loads((paths.metrics / "gan1d.json").read_text())
    assert written["steps"] == 6 and written == json.loads(json.dumps(metrics))
    csv_lines = (paths.plots / "gan1d.csv").read_text().splitlines()
    assert csv_lines[0] == "step,d,g" and len(csv_lines) == 4
    assert not (paths.checkpoints / "gan1d" / "checkpoint.npz").exists()
    (run,) = tracking.find_runs("train")
    assert run.info.status == "FINISHED"
    assert run.info.run_id == written["mlflow_run_id"]
    assert run.data.params["gan1d.schedule.iterations"] == "6"
    assert "loss_d" in run.data.metrics
    # what the step ran on, beside its numbers: this process's TensorFlow kernels
    assert written["xla"] is False and run.data.tags["xla"] == "False"
    assert written["cpu_kernels"] == machine.cpu_kernels() == run.data.tags["cpu_kernels"]


def test_sample_pictures_name_the_step_in_the_familys_unit(tmp_path, paths, monkeypatch):
    honest, captions = gan1d.Gan1D.save_samples, []

    def recorded(self, path, step, caption):
        captions.append(caption)
        honest(self, path, step, caption)

    monkeypatch.setattr(gan1d.Gan1D, "save_samples", recorded)
    train_stage.run("gan1d", str(tiny_params(tmp_path)), paths, progress=False)
    unit = registry.family("gan1d").step_unit
    assert captions == [f"{unit} 3", f"{unit} 6"]


def test_nan_loss_leaves_no_outputs_and_a_failed_run(tmp_path, paths, monkeypatch):
    honest = gan1d.Gan1D.train_step

    def poisoned(self):
        losses = honest(self)
        return {**losses, "g": losses["g"] * np.inf}

    monkeypatch.setattr(gan1d.Gan1D, "train_step", poisoned)
    with pytest.raises(FloatingPointError, match="non-finite loss at step 1"):
        train_stage.run("gan1d", str(tiny_params(tmp_path)), paths, progress=False)
    for directory in (paths.models, paths.metrics, paths.plots):
        assert not directory.exists() or not any(directory.iterdir())
    (run,) = tracking.find_runs("train")
    assert run.info.status == "FAILED"
    assert "non-finite loss" in run.data.tags["error"]


def test_unknown_gan_name_is_refused(tmp_path, paths):
    with pytest.raises(registry.UnknownFamilyError, match="unknown GAN family 'gan2d'"):
        train_stage.run("gan2d", str(tiny_params(tmp_path)), paths)


def test_train_before_prepare_names_the_missing_stage(tmp_path, paths):
    with pytest.raises(FileNotFoundError, match=r"mnist\.npz: not found; run the prepare stage"):
        train_stage.run("sgan", str(tiny_params(tmp_path)), paths)
    assert tracking.find_runs("train") == []


def test_invalid_family_params_fail_before_any_work(tmp_path, paths):
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["wgan"]["schedule"]["batch_size"] = 0
    raw["sgan"]["optimizer_supervised"]["lr"] = "fast"
    raw["acgan"]["n_critc"] = 5
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(params.ParamsError) as err:
        train_stage.run("gan1d", str(path), paths)
    message = str(err.value)
    assert "wgan.schedule.batch_size: must be > 0, got 0" in message
    assert "sgan.optimizer_supervised.lr: must be a finite number, got 'fast'" in message
    assert "acgan.n_critc: unknown key" in message
    assert tracking.find_runs("train") == []


def test_interrupted_stage_resumes_from_its_checkpoint(tmp_path, paths):
    params_path = str(tiny_params(tmp_path))
    partial = train_stage.run("gan1d", params_path, paths, stop_after=4, progress=False)
    assert partial == {"steps": 4, "stopped_early": True}
    assert not (paths.metrics / "gan1d.json").exists()
    finished = train_stage.run("gan1d", params_path, paths, progress=False)
    assert finished["resumed_from"] == 4
    assert finished["steps"] == 6

    # an uninterrupted run ends with the same losses, loss curve and saved generator
    straight_paths = train_stage.StagePaths.under(
        tmp_path / "straight", paths.prepared, paths.reference
    )
    straight = train_stage.run("gan1d", params_path, straight_paths, progress=False)
    assert straight["resumed_from"] == 0
    assert straight["final_losses"] == finished["final_losses"]
    # the evaluations made before the interruption are kept: the same curve, steps 0 and 6
    curve = (straight_paths.progress / "gan1d.csv").read_text()
    assert curve == (paths.progress / "gan1d.csv").read_text()
    assert [line.split(",")[0] for line in curve.splitlines()[1:]] == ["0", "6"]
    assert [s["from_step"] for s in finished["segments"]] == [0, 4]
    assert finished["segments"][-1]["to_step"] == 6
    assert (straight_paths.plots / "gan1d.csv").read_text() == (
        paths.plots / "gan1d.csv"
    ).read_text()
    resumed_generator = keras.saving.load_model(paths.models / "gan1d" / "generator.keras")
    straight_generator = keras.saving.load_model(
        straight_paths.models / "gan1d" / "generator.keras"
    )
    for a, b in zip(resumed_generator.weights, straight_generator.weights, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sgan_stage_reports_both_accuracies(tmp_path, paths):
    dataset = tiny_dataset()
    paths.prepared.mkdir(parents=True)
    np.savez(
        splits.dataset_path(paths.prepared, "mnist"),
        x_train=dataset.x_train,
        y_train=dataset.y_train,
        x_test=dataset.x_test,
        y_test=dataset.y_test,
    )
    from ganbench.data import labels

    labels.write_subsets(paths.prepared / "labels", dataset.y_train, 20, 0)
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["sgan"]["schedule"].update(
        # no evaluations during training: they need a reference network (tested with one in
        # test_evaluation_pipeline)
        {"iterations": 3, "batch_size": 4, "log_every": 1, "sample_every": 3, "xla": False}
        | {"evaluate_every": 0}
    )
    raw["sgan"]["labelled"]["count"] = 20
    raw["sgan"]["baseline"]["epochs"] = 2
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    metrics = train_stage.run("sgan", str(path), paths, progress=False)
    for key in ("test_accuracy", "baseline_test_accuracy", "accuracy_gain_over_baseline"):
        assert 0.0 <= abs(metrics[key]) <= 1.0
    assert (paths.models / "sgan" / "classifier.keras").is_file()
    assert (paths.models / "sgan" / "baseline.keras").is_file()
    baseline = tracking.find_runs("train", "attributes.run_name = 'sgan/baseline'")
    assert len(baseline) == 1 and baseline[0].info.status == "FINISHED"
    assert baseline[0].data.metrics["test_accuracy"] == pytest.approx(
        metrics["baseline_test_accuracy"]
    )
