"""Shared fixtures: every test gets its own MLflow store, so nothing touches the repo's.

A new SQLite store costs seconds of schema migrations, so one is migrated per session and
each test starts from a copy of it: isolated stores at the price of a file copy."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Stage scripts run in-process here: leave pytest's own capture of stderr alone
# (tests/test_quiet.py checks the filter in processes of its own).
os.environ.setdefault("GANBENCH_TF_LOGS", "1")

import pytest

import ganbench  # noqa: F401  (oneDNN's kernels asked for before any test loads TensorFlow)

# isort: split
import tensorflow as tf

# training.configure_runtime's one inter-op thread, set before any test's first TensorFlow op:
# it can be set only until the runtime starts, so otherwise a test that builds a model
# without configuring first breaks every later test in its worker that configures.
tf.config.threading.set_inter_op_parallelism_threads(1)


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory):
    from mlflow.tracking import MlflowClient

    path = tmp_path_factory.mktemp("mlflow") / "migrated.db"
    MlflowClient(f"sqlite:///{path}").search_experiments()  # creates and migrates it
    return path


@pytest.fixture(autouse=True)
def isolated_mlflow(tmp_path_factory, monkeypatch, migrated_store):
    store = tmp_path_factory.mktemp("store") / "mlflow.db"  # beside tmp_path, not in it
    shutil.copyfile(migrated_store, store)
    uri = f"sqlite:///{store}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    return uri
