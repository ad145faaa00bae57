"""Repeating a family's training over seeds under a profile, on tiny data."""

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from ganbench.config import profiles
from ganbench.config.params import ParamsError
from ganbench.longrun import committed, repeats, seeds
from ganbench.plumbing import tracking
from tests.tiny import REPO
from tests.tiny_project import sgan_fm_project


@pytest.fixture(scope="module", autouse=True)
def deterministic_runtime():
    """Before this module's first TensorFlow op (threads can be set only until then): run
    alone, its in-process tests otherwise start the runtime with default threads."""
    from ganbench.training import loop

    loop.configure_runtime(xla=False)


def test_profile_values_replace_leaves_and_keep_the_rest():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 3}
    overlay = {"a": {"c": [9]}, "e": {"f": 4}}
    assert profiles.apply(base, overlay) == {"a": {"b": 1, "c": [9]}, "d": 3, "e": {"f": 4}}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 3}


def test_each_seed_sets_the_training_stream_and_the_labelled_subset():
    base = yaml.safe_load((REPO / "params.yaml").read_text())
    tree = seeds.seed_tree(base, {"sgan_fm": {"schedule": {"iterations": 7}}}, "sgan_fm", 3)
    assert tree["sgan_fm"]["schedule"] == {
        **base["sgan_fm"]["schedule"],
        "iterations": 7,
        "seed": 3,
    }
    assert tree["sgan_fm"]["labelled"]["seed"] == 3
    assert "labelled" not in seeds.seed_tree(base, {}, "gan1d", 3)["gan1d"]
    # only what the seed's stages read: no other family, no study
    assert set(tree) == {"data", "reference", "evaluate", "sgan_fm"}


def test_stage_only_keys_leave_the_long_runs_fingerprints_alone(tmp_path):
    """evaluate.sample_seeds is read by the evaluate stage only: with or without it, a seed's
    and the paper study's params (and so their hashes) are the same text."""
    from ganbench.longrun import study_paper

    base = yaml.safe_load((REPO / "params.yaml").read_text())
    assert base["evaluate"]["sample_seeds"]
    evaluate = {k: v for k, v in base["evaluate"].items() if k != "sample_seeds"}
    without = {**base, "evaluate": evaluate}
    for gan in ("wgan", "sgan"):
        assert seeds.seed_tree(base, {}, gan, 1) == seeds.seed_tree(without, {}, gan, 1)
    assert "sample_seeds" not in seeds.seed_tree(base, {}, "wgan", 1)["evaluate"]
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(without, sort_keys=False))
    profile = REPO / "profiles" / "paper.yaml"
    assert study_paper.study_tree(REPO / "params.yaml", profile, ["sgan"]) == (
        study_paper.study_tree(tmp_path / "params.yaml", profile, ["sgan"])
    )


def test_a_seed_written_with_the_whole_params_file_keeps_its_results(tmp_path):
    base = yaml.safe_load((REPO / "params.yaml").read_text())
    plan = seeds.Plan("gan1d", (0,), tmp_path, tmp_path, "w1", 0.95)
    folder = seeds.seed_dir(plan, 0)
    (folder / "metrics" / "train").mkdir(parents=True)
    whole = {**base, "gan1d": seeds.seed_tree(base, {}, "gan1d", 0)["gan1d"]}
    (folder / "params.yaml").write_text(yaml.safe_dump({**whole, "study": {"old": "schema"}}))
    seeds.metrics_path(plan, 0).write_text("{}")
    trimmed = yaml.safe_dump(seeds.seed_tree(base, {}, "gan1d", 0), sort_keys=False)
    seeds.write_seed_params(plan, {0: trimmed})
    assert seeds.metrics_path(plan, 0).is_file()  # same sections: the result stays
    assert (folder / "params.yaml").read_text() == trimmed
    changed = trimmed.replace("iterations: 40000", "iterations: 40001")
    seeds.write_seed_params(plan, {0: changed})
    assert not seeds.metrics_path(plan, 0).is_file()  # another schedule: trained again


@pytest.fixture
def project(tmp_path):
    return sgan_fm_project(tmp_path)


@pytest.mark.e2e
def test_seeds_train_once_under_the_profile_and_are_summarised(project):
    workdir = project["workdir"]

    # seed 5 has no labelled subset: it fails, seed 0 still finishes, no summary is written
    with pytest.raises(seeds.RepeatError, match=r"seed 5 failed \(exit 1\).*20-5"):
        repeats.run("sgan_fm", [0, 5], **project, jobs=2)
    assert not (workdir / "summary.json").exists()
    seed0_metrics = workdir / "seed-0" / "metrics" / "train" / "sgan_fm.json"
    finished_at = seed0_metrics.stat().st_mtime_ns

    summary = repeats.run("sgan_fm", [0, 1], **project, jobs=2)
    assert seed0_metrics.stat().st_mtime_ns == finished_at  # not trained again
    values = []
    for seed in (0, 1):
        path = workdir / f"seed-{seed}" / "metrics" / "train" / "sgan_fm.json"
        metrics = json.loads(path.read_text())
        assert metrics["steps"] == 2  # the profile's schedule, not params.yaml's 4
        assert metrics["seed"] == seed
        assert summary["per_seed"][str(seed)] == metrics["test_accuracy"]
        assert summary["mlflow_run_ids"][str(seed)] == metrics["mlflow_run_id"]
        values.append(metrics["test_accuracy"])
    assert summary["n"] == 2
    assert summary["mean"] == pytest.approx(np.mean(values))
    assert summary["ci_low"] <= summary["mean"] <= summary["ci_high"]
    assert json.loads((workdir / "summary.json").read_text()) == summary
    # seed 5 failed before its run began; each finished seed logged one run
    runs = [r for r in tracking.find_runs("train") if r.info.run_name == "sgan_fm"]
    assert sorted(r.info.run_id for r in runs) == sorted(summary["mlflow_run_ids"].values())
    assert {r.info.status for r in runs} == {"FINISHED"}
    parent = tracking.connect().get_run(summary["mlflow_run_id"])
    assert parent.info.status == "FINISHED"
    assert parent.data.metrics["test_accuracy_mean"] == pytest.approx(summary["mean"])
    assert parent.data.metrics["test_accuracy_seed_1"] == summary["per_seed"]["1"]
    for run in runs:
        assert run.data.tags["mlflow.parentRunId"] == summary["mlflow_run_id"]

    # a metric the stage does not write is named with the file, and the summary is kept
    with pytest.raises(seeds.RepeatError, match=r"seed-0.*no numeric metric 'accuracy'"):
        repeats.run("sgan_fm", [0, 1], **project, metric="accuracy")
    assert json.loads((workdir / "summary.json").read_text()) == summary


def test_a_bad_profile_value_is_one_line_and_writes_nothing(project, capsys):
    project["profile_path"].write_text(yaml.safe_dump({"sgan_fm": {"schedule": {"iterations": 0}}}))
    argv = ["run", "sgan_fm", "--seeds", "0", "1", "--params", str(project["params_path"])]
    argv += ["--profile", str(project["profile_path"]), "--workdir", str(project["workdir"])]
    with pytest.raises(SystemExit) as exit_info:
        repeats.main(argv)
    assert exit_info.value.code == 1
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert error.startswith("repeats: error: ")
    assert "sgan_fm.schedule.iterations: must be > 0, got 0" in error
    assert not project["workdir"].exists()


def test_seeds_must_be_distinct(project):
    with pytest.raises(ParamsError, match="--seeds: must be distinct"):
        repeats.run("sgan_fm", [0, 0], **project)


def processes_naming(text: str) -> list[int]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:
            continue  # the process ended while being read
    return found


@pytest.mark.e2e
def test_a_stopped_repeat_passes_the_signal_to_its_seeds_which_checkpoint(project):
    project["profile_path"].write_text(
        yaml.safe_dump({"sgan_fm": {"schedule": {"iterations": 100000}}})
    )
    workdir = project["workdir"]
    command = [sys.executable, "-m", "ganbench.longrun.repeats", "run", "sgan_fm", "--seeds", "0"]
    for flag in ("params_path", "profile_path", "prepared", "workdir"):
        command += [f"--{flag.removesuffix('_path')}", str(project[flag])]
    parent = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    log = workdir / "seed-0" / "train.log"
    deadline = time.monotonic() + 120
    while not (log.is_file() and "/100000" in log.read_text(errors="replace")):
        assert time.monotonic() < deadline and parent.poll() is None, "training never started"
        time.sleep(0.5)
    time.sleep(5)  # inside the loop: its steps take milliseconds
    parent.send_signal(signal.SIGTERM)
    _, stderr = parent.communicate(timeout=120)

    assert parent.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("repeats: interrupted (signal 15")
    assert processes_naming(str(workdir)) == []  # the seed's process ended too
    checkpoint = workdir / "seed-0" / "checkpoints" / "sgan_fm" / "checkpoint.npz"
    with np.load(checkpoint) as stored:
        assert json.loads(stored["meta"].tobytes().decode())["step"] > 0
    assert not (workdir / "summary.json").exists()
    assert not (workdir / "seed-0" / "metrics" / "train" / "sgan_fm.json").exists()


@pytest.mark.e2e
def test_evaluated_seeds_are_summarised_with_every_figure_and_exported(
    project, tmp_path, monkeypatch, migrated_store
):
    import dataclasses

    from ganbench.config import params
    from ganbench.scoring import reference

    reference_params = params.load(REPO / "params.yaml").section("reference")
    net = reference.build(dataclasses.replace(reference_params, filters=(4, 8), feature_units=16))
    reference_path = tmp_path / "reference.keras"
    net.save(reference_path)
    raw = yaml.safe_load(project["params_path"].read_text())
    raw["sgan_fm"]["schedule"]["evaluate_every"] = 1
    raw["evaluate"].update(
        samples=30, real_samples=30, kid_subsets=2, kid_subset_size=10, nearest_k=2
    )
    raw["evaluate"].update(progress_samples=20, progress_kid_subsets=2)
    project["params_path"].write_text(yaml.safe_dump(raw))
    results = tmp_path / "results" / "sgan_fm-short"

    def evaluated_run(workdir: Path) -> dict:
        return repeats.run(
            "sgan_fm",
            [0, 1],
            **{**project, "workdir": workdir},
            metric="fid",
            evaluate=True,
            reference=reference_path,
            results=results,
        )

    summary = evaluated_run(project["workdir"])
    assert summary["steps"] == {"0": 2, "1": 2} and summary["schedule_steps"] == 2
    for seed in ("0", "1"):
        evaluation = json.loads(
            (project["workdir"] / f"seed-{seed}" / "metrics" / "sgan_fm.json").read_text()
        )
        assert summary["per_seed"][seed] == evaluation["fid"]
        assert summary["metrics"]["floor_fid"]["per_seed"][seed] == evaluation["floor"]["fid"]
        trained = json.loads(
            (project["workdir"] / f"seed-{seed}" / "metrics" / "train" / "sgan_fm.json").read_text()
        )
        assert summary["metrics"]["test_accuracy"]["per_seed"][seed] == trained["test_accuracy"]
    fid = summary["metrics"]["fid"]
    assert fid["n"] == 2 and fid["ci_low"] <= fid["mean"] <= fid["ci_high"]
    assert "class_entropy" in summary["metrics"]

    written = json.loads((results / "summary.json").read_text())
    assert written["per_seed"] == summary["per_seed"]
    seed0 = written["provenance"]["seeds"]["0"]
    assert seed0["steps"] == 2 and len(seed0["params_sha256"]) == 64
    assert seed0["reference_weights_hash"] == reference.weights_hash(net)
    assert seed0["segments"][0]["from_step"] == 0 and seed0["segments"][-1]["to_step"] == 2
    for name in ("seed-0.json", "seed-1.json", "seed-0-progress.csv", "seed-1-samples.png"):
        assert (results / name).is_file(), name
    # each generator is scored on five sample draws too: the resampling noise, exported
    exported = json.loads((results / "seed-1.json").read_text())["evaluation"]
    draws = exported["sample_draws"]
    assert draws["seeds"] == list(repeats.SAMPLE_DRAWS)
    assert draws["figures"]["fid"]["per_draw"][0] == exported["fid"]
    assert len(set(draws["figures"]["fid"]["per_draw"])) == len(repeats.SAMPLE_DRAWS)
    assert "fid_infinity" in exported and "fid_infinity" in draws["figures"]
    curve = (results / "seed-0-progress.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in curve[1:]] == ["0", "1", "2"]
    # the summary run holds each seed's whole curve as metric history
    fid_column = curve[0].split(",").index("fid")
    seed1 = (results / "seed-1-progress.csv").read_text().splitlines()[1:]
    seed1_curve = [(int(line.split(",")[0]), float(line.split(",")[fid_column])) for line in seed1]

    def logged_exports() -> list:
        digest = committed.export_digest(results)
        runs = tracking.find_runs("train", f"tags.`{committed.EXPORT_TAG}` = '{digest}'")
        for run in runs:
            history = tracking.connect().get_metric_history(run.info.run_id, "progress_fid_seed_1")
            assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == seed1_curve
        return runs

    assert [run.info.run_id for run in logged_exports()] == [summary["mlflow_run_id"]]

    # Another machine, an empty workdir, the committed results: the finished seeds are not
    # trained again, and the export keeps their provenance, curves and grids.
    as_committed = (results / "summary.json").read_bytes()
    again = evaluated_run(tmp_path / "elsewhere")
    assert again["per_seed"] == summary["per_seed"]
    assert not (tmp_path / "elsewhere" / "seed-0" / repeats.LOG_NAME).exists()  # no training
    # nothing trained: the committed export is not restamped with this machine and commit
    assert (results / "summary.json").read_bytes() == as_committed
    assert json.loads(as_committed)["provenance"]["seeds"]["0"] == seed0
    assert (results / "seed-0-progress.csv").read_text().splitlines() == curve
    assert (results / "seed-1-samples.png").is_file()
    assert len(logged_exports()) == 1  # this store has the export's run already

    # A fresh clone's MLflow store shows the committed export, once however often it runs.
    fresh = tmp_path / "fresh.db"
    shutil.copyfile(migrated_store, fresh)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{fresh}")
    assert logged_exports() == []
    evaluated_run(tmp_path / "clone")
    evaluated_run(tmp_path / "clone")
    assert len(logged_exports()) == 1
    assert (results / "summary.json").read_bytes() == as_committed


def test_an_unfinished_seed_is_scored_from_its_last_checkpoint_and_exported(
    project, tmp_path, capsys
):
    import dataclasses

    from ganbench.config import params
    from ganbench.longrun import snapshot
    from ganbench.scoring import reference
    from ganbench.stages import train as train_stage

    reference_params = params.load(REPO / "params.yaml").section("reference")
    net = reference.build(dataclasses.replace(reference_params, filters=(4, 8), feature_units=16))
    reference_path = tmp_path / "reference.keras"
    net.save(reference_path)
    raw = yaml.safe_load(project["params_path"].read_text())
    raw["sgan_fm"]["schedule"].update(iterations=6, evaluate_every=2, checkpoint_every=2)
    raw["evaluate"].update(samples=30, real_samples=30, kid_subsets=2, kid_subset_size=10)
    raw["evaluate"].update(nearest_k=2, progress_samples=20, progress_kid_subsets=2)
    folder = tmp_path / "runs" / "sgan_fm" / "seed-0"
    folder.mkdir(parents=True)
    (folder / "params.yaml").write_text(yaml.safe_dump(raw))  # the whole file, as older runs
    paths = train_stage.StagePaths.under(folder, project["prepared"], reference_path)
    stopped = train_stage.run("sgan_fm", str(folder / "params.yaml"), paths, stop_after=4)
    assert stopped == {"steps": 4, "stopped_early": True}

    results = tmp_path / "results" / "sgan_fm-paper"
    argv = ["sgan_fm", "--workdir", str(folder.parent), "--seeds", "0", "--results", str(results)]
    argv += ["--prepared", str(project["prepared"]), "--reference", str(reference_path)]
    snapshot.main(argv)
    summary = json.loads((results / "summary.json").read_text())
    assert summary["finished"] is False
    printed = capsys.readouterr().out.strip().splitlines()[-1]
    assert printed.startswith("snapshot: sgan_fm fid over seeds ['0']: mean ")
    assert printed.endswith("(seed 0 at 4 of 6)")
    assert summary["steps"] == {"0": 4} and summary["schedule_steps"] == 6
    assert summary["per_seed"]["0"] == summary["metrics"]["fid"]["per_seed"]["0"]
    curve = (results / "seed-0-progress.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in curve[1:]] == ["0", "2", "4"]
    # the run itself goes on: its checkpoint is where it was, no result was written for it
    assert (folder / "checkpoints" / "sgan_fm" / "checkpoint.npz").is_file()
    assert not (folder / "metrics" / "train" / "sgan_fm.json").exists()
