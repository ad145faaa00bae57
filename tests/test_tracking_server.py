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

from ganbench.plumbing import tracking
from ganbench.stages import reference as reference_stage
from ganbench.stages import train as train_stage
from tests import tiny_pipeline

pytestmark = pytest.mark.e2e  # spawns processes: make test-quick skips it


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
    reference_stage.run(params_path, layout["reference"])  # the evaluations during training
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
        artifacts = [a.path for a in client.list_artifacts(run.info.run_id, "networks")]
        assert "networks/generator.keras" in artifacts
    assert tracking.tracking_uri() == server
    assert list((tmp_path / "server-artifacts").rglob("generator.keras"))


def test_the_registered_classifier_is_served_over_http(tmp_path):
    """`mlflow models serve` (the local environment, no environment manager) on a loopback
    port answers with the registered SGAN classifier's predictions."""
    import json
    import os

    import numpy as np

    from ganbench.models.base import scale_images
    from tests.tiny import tiny_dataset
    from tests.tiny_pipeline import tiny_raw, write_params

    layout = tiny_pipeline.layout(tmp_path)
    raw = tiny_raw()
    raw["sgan"]["schedule"]["evaluate_every"] = 0  # no reference needed
    params_path = write_params(tmp_path, raw)
    trained = train_stage.run(
        "sgan", params_path, layout["train"], progress=False, register_as="served"
    )
    port = free_port()
    uri = "models:/ganbench-sgan-classifier@served"
    process = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "models", "serve", "-m", uri, "--env-manager",
         "local", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("mlflow models serve did not start")
                time.sleep(1)
        images = scale_images(tiny_dataset().x_test, "symmetric")
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/invocations",
            data=json.dumps({"inputs": images.tolist()}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            predictions = np.asarray(json.loads(answer.read())["predictions"])
    finally:
        process.terminate()
        process.wait(timeout=30)
    accuracy = float(np.mean(predictions.argmax(axis=-1) == tiny_dataset().y_test))
    assert predictions.shape == (40, 10)
    assert accuracy == trained["test_accuracy"]
