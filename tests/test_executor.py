"""The long runs' executor on Ray: user errors are not retried and read as one line, a lost
worker's task runs again, the driver's SIGTERM reaches every task, GPU shares pack tasks,
several tasks log to one SQLite store without loss, and a graph over several hosts is
refused without a tracking server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from ganbench.longrun import executor, repeats
from ganbench.plumbing.errors import InputError, RunFailed
from tests.tiny_project import sgan_fm_project

# every test here starts Ray's processes; the simulated cluster, run beside other Ray-using
# tests in the parallel fast tier, took their raylet down with it: the slow tier runs these
pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def script_task(tmp_path: Path, name: str, body: str, cost: float = 1.0) -> executor.Task:
    """A task whose process runs `body` (Python), logging to its own file."""
    script = tmp_path / f"{name}.py"
    script.write_text(textwrap.dedent(body))
    return executor.Task(name, (sys.executable, str(script)), tmp_path / f"{name}.log", cost)


@pytest.fixture
def ray_local():
    """Ray on this machine with room for four one-thread tasks and one declared GPU (the
    packing is Ray's scheduling; no GPU is needed to test it)."""
    import ray

    ray.init(num_cpus=4, num_gpus=1, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_user_error_is_not_retried_and_reads_as_one_line(tmp_path, ray_local):
    starts = tmp_path / "starts"
    bad = script_task(
        tmp_path,
        "wgan seed 7",
        f"""
        import sys
        open({str(starts)!r}, "a").write("start\\n")
        print("train: error: params.yaml: wgan.z_dim: must be positive, got -1")
        sys.exit(1)
        """,
    )
    good = script_task(tmp_path, "gan1d seed 0", "print('done')")
    with pytest.raises(RunFailed) as failed:
        executor.run([bad, good], executor.Placement(threads=1), tmp_path)
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith("wgan seed 7 failed (exit 1): train: error: params.yaml: wgan.z_dim")
    assert starts.read_text() == "start\n"  # once: not retried
    assert (tmp_path / "gan1d seed 0.log").read_text() == "done\n"  # the others ran on


def test_no_more_tasks_run_at_once_than_the_cpus_allow(tmp_path, ray_local):
    """Four CPUs, two threads a task: never more than two processes at once (a task waiting
    on Ray inside its main thread would hand its CPUs back and let a third one start)."""
    spans = tmp_path / "spans"
    body = f"""
        import time
        began = time.time()
        time.sleep(1.5)
        open({str(spans)!r}, "a").write(f"{{began}} {{time.time()}}\\n")
        """
    tasks = [script_task(tmp_path, f"task {i}", body) for i in range(5)]
    executor.run(tasks, executor.Placement(threads=2), tmp_path)
    rows = [tuple(map(float, line.split())) for line in spans.read_text().splitlines()]
    assert len(rows) == 5
    at_once = max(sum(b <= start < e for b, e in rows) for start, _ in rows)
    assert at_once == 2


def test_a_task_whose_worker_dies_runs_again(tmp_path, ray_local):
    """The first attempt kills its own Ray worker (as a lost node would); the task runs
    again and finishes, where a task would resume from its checkpoint."""
    attempts = tmp_path / "attempts"
    task = script_task(
        tmp_path,
        "dcgan seed 1",
        f"""
        import os, signal
        with open({str(attempts)!r}, "a") as f:
            f.write("attempt\\n")
        if open({str(attempts)!r}).read().count("attempt") == 1:
            os.kill(os.getppid(), signal.SIGKILL)
        print("finished")
        """,
    )
    assert executor.run([task], executor.Placement(threads=1), tmp_path) == ["dcgan seed 1"]
    assert attempts.read_text().count("attempt") == 2


def test_gpu_shares_pack_four_tasks_on_one_gpu(tmp_path, ray_local):
    body = """
        import json, os, time
        began = time.time()
        time.sleep(4)
        record = {"began": began, "ended": time.time(),
                   "cuda": os.environ.get("CUDA_VISIBLE_DEVICES")}
        print(json.dumps(record))
        """
    tasks = [script_task(tmp_path, f"task {i}", body) for i in range(5)]
    executor.run(tasks, executor.Placement(threads=1, gpus=0.25), tmp_path)
    records = [json.loads(t.log.read_text()) for t in tasks]
    assert all(r["cuda"] == "0" for r in records)  # each saw the GPU Ray gave it

    def at_once(moment: float) -> int:
        return sum(r["began"] <= moment < r["ended"] for r in records)

    most = max(at_once(r["began"] + 0.5) for r in records)
    assert most == 4  # four shares of one GPU at once, and not five


def test_four_tasks_log_to_one_sqlite_store_without_loss(tmp_path, ray_local, monkeypatch):
    store = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store)
    body = """
        import os
        from ganbench.plumbing import tracking
        with tracking.run("executor-test", os.environ["GANBENCH_TASK"], "test") as run:
            for step in range(40):
                run.log_metrics({"value": float(step)}, step=step)
        """
    tasks = [script_task(tmp_path, f"cell {i}", body) for i in range(4)]
    executor.run(tasks, executor.Placement(threads=1), tmp_path)
    from ganbench.plumbing import tracking

    runs = tracking.find_runs("executor-test", "")
    assert sorted(r.data.tags["ganbench.task"] for r in runs) == [f"cell {i}" for i in range(4)]
    assert len({r.data.tags["ganbench.graph_id"] for r in runs}) == 1  # one graph
    client = tracking.connect()
    for run in runs:
        history = client.get_metric_history(run.info.run_id, "value")
        assert sorted(m.step for m in history) == list(range(40))


DRIVER = """
import sys
from pathlib import Path
from ganbench.longrun import executor, repeats
tasks = [
    executor.Task(f"seed {i}", (sys.executable, sys.argv[1], sys.argv[2] + f"/{i}"),
                  Path(sys.argv[2]) / f"{i}.log")
    for i in range(int(sys.argv[3]))
]
try:
    executor.run(tasks, executor.Placement(threads=1), Path(sys.argv[2]))
except KeyboardInterrupt as err:
    print(f"interrupted: {err}")
    sys.exit(130)
"""

TRAINING = """
import signal, sys, time
from pathlib import Path
out = Path(sys.argv[1])
def checkpoint(signum, frame):
    out.with_suffix(".checkpoint").write_text("saved")
    sys.exit(130)
signal.signal(signal.SIGTERM, checkpoint)
out.with_suffix(".started").write_text("")
time.sleep(120)
"""


def test_the_drivers_sigterm_makes_every_task_checkpoint(tmp_path):
    """More tasks than cores: the running ones checkpoint, the queued ones never start, and
    none of them reads as a failure."""
    training = tmp_path / "training.py"
    training.write_text(TRAINING)
    tasks = (os.cpu_count() or 1) + 1
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(training), str(tmp_path), str(tasks)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RAY_ADDRESS": ""},
    )
    deadline = time.monotonic() + 120
    while sum((tmp_path / f"{i}.started").exists() for i in range(tasks)) < tasks - 1:
        assert driver.poll() is None and time.monotonic() < deadline, driver.stdout.read()
        time.sleep(0.5)
    driver.send_signal(signal.SIGTERM)
    output, _ = driver.communicate(timeout=120)
    assert driver.returncode == 130, output
    assert "interrupted: signal 15" in output and "failed" not in output
    started = [i for i in range(tasks) if (tmp_path / f"{i}.started").exists()]
    assert len(started) == tasks - 1
    assert all((tmp_path / f"{i}.checkpoint").read_text() == "saved" for i in started)


def test_several_hosts_need_a_tracking_server_and_shared_storage(tmp_path):
    hosts = {"node-a": "10.1.0.1", "node-b": "10.1.0.2"}
    with pytest.raises(InputError, match=r"MLFLOW_TRACKING_URI sqlite:///.*: a local store"):
        executor.check_shared(tmp_path, f"sqlite:///{tmp_path}/mlflow.db", hosts)
    # one host (a simulated cluster, or Ray on this machine): nothing to share
    executor.check_shared(tmp_path, f"sqlite:///{tmp_path}/mlflow.db", {"a": "127.0.0.1"})


def test_bad_placements_are_refused_in_one_line(tmp_path):
    task = executor.Task("x", (sys.executable, "-c", "pass"), tmp_path / "x.log")
    with pytest.raises(InputError, match=r"--threads-per-task: must be >= 1, got 0"):
        executor.run([task], executor.Placement(threads=0), tmp_path)
    with pytest.raises(InputError, match=r"--gpus-per-task: must be >= 0, got -0.5"):
        executor.run([task], executor.Placement(gpus=-0.5), tmp_path)


@pytest.fixture
def project(tmp_path):
    return sgan_fm_project(tmp_path)


def keras_weights(path: Path) -> list:
    """Every weight array stored in a .keras file, in order."""
    import io
    import zipfile

    import h5py

    with zipfile.ZipFile(path) as archive:
        stored = io.BytesIO(archive.read("model.weights.h5"))
    arrays = []
    with h5py.File(stored, "r") as weights:
        weights.visititems(
            lambda name, item: arrays.append((name, item[()])) if hasattr(item, "shape") else None
        )
    return arrays


def test_a_seed_on_a_lost_node_finishes_on_another_from_its_checkpoint(project, tmp_path):
    """A simulated two-node cluster on this machine: the node training a short seed is
    removed mid-training; the seed finishes on the other node from its checkpoint, with
    weights bit-identical to an uninterrupted run on the same thread count."""
    import threading

    import ray
    from ray.cluster_utils import Cluster

    section = yaml.safe_load(project["params_path"].read_text())
    section["sgan_fm"]["schedule"].update(checkpoint_every=50)
    project["params_path"].write_text(yaml.safe_dump(section))
    project["profile_path"].write_text(
        yaml.safe_dump({"sgan_fm": {"schedule": {"iterations": 1500}}})
    )
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    first = cluster.add_node(num_cpus=1)
    cluster.wait_for_nodes()
    ray.init(address=cluster.address, include_dashboard=False, log_to_driver=False)
    lost = project["workdir"] / "lost"
    checkpoint = lost / "seed-0" / "checkpoints" / "sgan_fm" / "checkpoint.npz"
    common = {k: project[k] for k in ("params_path", "profile_path", "prepared")}
    outcome: list = []

    def drive() -> None:  # the driver; node changes need the main thread
        try:
            repeats.run("sgan_fm", [0], **common, workdir=lost, threads=1)
            outcome.append("done")
        except BaseException as err:  # reported below
            outcome.append(err)

    driver = threading.Thread(target=drive)
    try:
        driver.start()
        deadline = time.monotonic() + 300
        while not checkpoint.is_file():
            assert time.monotonic() < deadline and driver.is_alive(), outcome
            time.sleep(0.2)
        cluster.add_node(num_cpus=1)
        cluster.remove_node(first)
        driver.join(timeout=600)
        assert outcome == ["done"], outcome
        repeats.run("sgan_fm", [0], **common, workdir=project["workdir"] / "whole", threads=1)
    finally:
        ray.shutdown()
        cluster.shutdown()
    trained = json.loads((lost / "seed-0" / "metrics" / "train" / "sgan_fm.json").read_text())
    assert trained["resumed_from"] > 0  # it did resume from a checkpoint
    lost_weights = keras_weights(lost / "seed-0" / "models" / "sgan_fm" / "classifier.keras")
    whole = project["workdir"] / "whole" / "seed-0" / "models" / "sgan_fm" / "classifier.keras"
    whole_weights = keras_weights(whole)
    assert [name for name, _ in lost_weights] == [name for name, _ in whole_weights]
    for (name, a), (_, b) in zip(lost_weights, whole_weights, strict=True):
        assert np.array_equal(a, b), name
