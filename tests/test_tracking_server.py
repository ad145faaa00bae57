"""The team set-up: a real `mlflow server` (SQLite backend, local artifact store) on a free
localhost port; the stages log to it over HTTP and the runs are read back through the
client, as a teammate comparing runs would."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from mlflow.tracking import MlflowClient

from ganbench import tracking, train_stage
from tests import tiny_pipeline


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mlflow",
            "server",
            "--backend-store-uri",
            f"sqlite:///{tmp_path / 'server.db'}",
            "--artifacts-destination",
            (tmp_path / "server-artifacts").as_uri(),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("mlflow server did not start")
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_stages_log_over_http_and_runs_compare(tmp_path, server, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", server)
    layout = tiny_pipeline.layout(tmp_path)
    params_path = tiny_pipeline.write_params(tmp_path, tiny_pipeline.tiny_raw())
    written = {
        gan: train_stage.run(gan, params_path, layout["train"], progress=False)
        for gan in tiny_pipeline.FAMILIES
    }

    client = MlflowClient(server)
    experiment = client.get_experiment_by_name("ganbench/train")
    runs = client.search_runs(
        [experiment.experiment_id], filter_string="attributes.status = 'FINISHED'"
    )
    by_name = {run.info.run_name: run for run in runs}
    assert {"gan1d", "sgan"} <= set(by_name)
    for gan in tiny_pipeline.FAMILIES:
        run = by_name[gan]
        assert run.info.run_id == written[gan]["mlflow_run_id"]
        # one metric compared side by side across the two GAN runs
        assert run.data.metrics["steps_per_second"] == pytest.approx(
            written[gan]["steps_per_second"], rel=1e-3
        )
        assert run.data.tags["dvc_stage"] == f"train@{gan}"
        # the model went through the server's artifact proxy into its artifact store
        artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "model")]
        assert "model/generator.keras" in artifacts
    assert tracking.tracking_uri() == server
    assert list((tmp_path / "server-artifacts").rglob("generator.keras"))
