import pytest

from ganbench.plumbing import tracking


def make_repo(path):
    (path / ".dvc").mkdir(parents=True)
    (path / "dvc.yaml").write_text("stages: {}\n")
    return path


def test_uri_comes_from_environment(monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5999")
    assert tracking.tracking_uri() == "http://127.0.0.1:5999"


def test_default_uri_is_absolute_sqlite_at_repo_root(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    root = make_repo(tmp_path / "repo")
    (root / "pipeline").mkdir()
    assert tracking.tracking_uri(root / "pipeline") == f"sqlite:///{root.resolve()}/mlflow.db"


def test_queued_experiment_copy_logs_to_the_outer_repository(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    root = make_repo(tmp_path / "repo")
    copy = make_repo(root / ".dvc" / "tmp" / "exps" / "tmpabc")
    assert tracking.tracking_uri(copy) == f"sqlite:///{root.resolve()}/mlflow.db"


def test_run_finishes_with_standard_tags(monkeypatch):
    monkeypatch.setenv("DVC_EXP_NAME", "brisk-wren")
    with tracking.run("unit", "ok-run", "prepare") as run:
        run.log_params({"data.dataset": "mnist"})
        run.log_metrics({"count": 3})
    (found,) = tracking.find_runs("unit")
    assert found.info.status == "FINISHED"
    assert found.data.tags["dvc_stage"] == "prepare"
    assert found.data.tags["dvc_experiment"] == "brisk-wren"
    assert found.data.tags["mlflow.runName"] == "ok-run"
    assert found.data.params["data.dataset"] == "mnist"
    assert found.data.metrics["count"] == 3


def test_exception_ends_run_failed_with_error_tag():
    with pytest.raises(ValueError, match="boom"), tracking.run("unit", "bad", "prepare") as run:
        run_id = run.run_id
        raise ValueError("boom")
    assert tracking.run_status(run_id) == "FAILED"
    (found,) = tracking.find_runs("unit")
    assert found.data.tags["error"] == "ValueError: boom"


def test_unreachable_store_fails_before_work(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{blocker}/mlflow.db")
    with pytest.raises(tracking.TrackingError, match="store unreachable"):
        tracking.connect()
