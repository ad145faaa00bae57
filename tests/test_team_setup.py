"""The real DVC pipeline in throwaway copies of this repository, on tiny synthetic data:
bit-identical metrics from fresh processes, and two label-study variants run in parallel
through DVC's experiment queue, each landing once in the shared MLflow store."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from ganbench.plumbing import tracking
from tests.repo_copy import dvc, make_copy
from tests.synthetic import write_dataset
from tests.tiny import REPO
from tests.tiny_pipeline import tiny_raw

pytestmark = pytest.mark.e2e  # spawns processes: make test-quick skips it

# What legitimately differs between two runs of the same stage: clocks and run ids.
# (every key starting "mlflow_" is a run id; segments hold seconds)
VOLATILE = {
    "wall_seconds",
    "steps_per_second",
    "stage_seconds",
    "evaluate_seconds",
    "total_seconds",
    "segments",
}
VOLATILE_PREFIX = "mlflow_"


@pytest.fixture(autouse=True)
def git_identity(monkeypatch):
    """Git (and DVC's experiment commits) need an author; CI machines may have none."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "ganbench tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "tests@ganbench.invalid")


def tiny_repo(root: Path, idx: Path) -> Path:
    """A committed copy of the pipeline whose params train and evaluate in seconds."""
    repo = make_copy(root)
    for ignore in (".gitignore", ".dvc/.gitignore"):
        (repo / ignore).write_text((REPO / ignore).read_text())
    raw = tiny_raw()
    raw["data"].update(source_dir=str(idx), checksum_file=str(idx / "SHA256SUMS"))
    (repo / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    commit(repo, "tiny pipeline")
    return repo


def commit(repo: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True)


def stable(metrics: dict) -> dict:
    return {
        k: v for k, v in metrics.items() if k not in VOLATILE and not k.startswith(VOLATILE_PREFIX)
    }


@pytest.fixture
def idx(tmp_path) -> Path:
    directory = tmp_path / "idx"
    write_dataset(directory, gzipped=True)
    return directory


def test_same_seed_gives_bit_identical_metrics_in_fresh_processes(tmp_path, idx):
    targets = ["evaluate@sgan"]  # through prepare, reference and train@sgan
    produced = []
    for name in ("first", "second"):
        repo = tiny_repo(tmp_path / name, idx)
        result = dvc(repo, "repro", *targets)
        assert result.returncode == 0, result.stderr
        files = ["train/sgan.json", "sgan.json"]
        produced.append({f: json.loads((repo / "metrics" / f).read_text()) for f in files})
    first, second = produced
    for name in first:
        assert stable(first[name]) == stable(second[name]), name
    # the comparison has teeth: the stable part still holds the scores themselves
    assert "fid" in stable(first["sgan.json"]) and "test_accuracy" in stable(
        first["train/sgan.json"]
    )
    assert first["sgan.json"]["mlflow_run_id"] != second["sgan.json"]["mlflow_run_id"]


def wait_for_queue(repo: Path, timeout_s: float = 900) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = dvc(repo, "queue", "status").stdout
        if "Queued" not in status and "Running" not in status:
            return status
        time.sleep(2)
    pytest.fail(f"queue still busy after {timeout_s} s:\n{status}")


def test_queued_study_variants_run_in_parallel_and_each_logs_once(tmp_path, idx):
    repo = tiny_repo(tmp_path / "repo", idx)
    baseline = dvc(repo, "repro", "study_summary")
    assert baseline.returncode == 0, baseline.stderr
    commit(repo, "baseline results")

    variants = {"study-iter-2": 2, "study-iter-5": 5}
    for name, iterations in variants.items():
        queued = dvc(
            repo,
            "exp",
            "run",
            "--queue",
            "-n",
            name,
            "-S",
            f"study.iterations.sgan.20={iterations}",
            "study_summary",
        )
        assert queued.returncode == 0, queued.stderr
    started = dvc(repo, "queue", "start", "-j", "2")
    assert started.returncode == 0, started.stderr
    status = wait_for_queue(repo)
    print(status)
    for name in variants:
        assert any(name in line and "Success" in line for line in status.splitlines()), status

    columns = "Experiment|State|study.iterations.sgan.20|by_label_count.20.methods.sgan.mean"
    shown = dvc(repo, "exp", "show", "--no-pager", "--csv", "--drop", ".*", "--keep", columns)
    print(shown.stdout)
    assert all(name in shown.stdout for name in variants)

    for name, iterations in variants.items():
        runs = tracking.find_runs("study", f"tags.dvc_experiment = '{name}'")
        stages = sorted(r.data.tags["dvc_stage"] for r in runs)
        assert stages == ["study@20-0", "study@20-1", "study_summary"], stages
        assert {r.info.status for r in runs} == {"FINISHED"}
        cells = [r for r in runs if r.data.tags["dvc_stage"].startswith("study@")]
        assert {r.data.params["sgan.schedule.iterations"] for r in cells} == {str(iterations)}
    # nothing lost or duplicated: the baseline's two cells, ceiling and summary, untagged,
    # and the three runs of each experiment
    untagged = [r for r in tracking.find_runs("study") if "dvc_experiment" not in r.data.tags]
    assert sorted(r.data.tags["dvc_stage"] for r in untagged) == [
        "study@20-0",
        "study@20-1",
        "study_ceiling",
        "study_summary",
    ]
    assert len(tracking.find_runs("study")) == len(untagged) + 3 * len(variants)
