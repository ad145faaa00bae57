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


def test_dataset_logged_by_a_run_that_lost_the_insert_race(tmp_path, monkeypatch):
    """Two runs starting at once on a new store both insert the dataset; the loser (its
    insert refused by the unique constraint) still ends up with the dataset as its input."""
    import mlflow

    source = tmp_path / "mnist.npz"
    source.write_bytes(b"data")
    real_log_input = mlflow.log_input
    calls = []

    def racing_log_input(dataset, context=None):
        calls.append(context)
        if len(calls) == 1:  # the other run wins the insert, this one is refused
            with tracking.run("unit", "winner", "train", nested=True) as winner:
                winner.log_dataset("mnist", source, "abc123")
            raise mlflow.exceptions.MlflowException(
                "(sqlite3.IntegrityError) UNIQUE constraint failed: datasets.experiment_id, "
                "datasets.name, datasets.digest"
            )
        return real_log_input(dataset, context=context)

    with tracking.run("unit", "loser", "train") as run:
        monkeypatch.setattr(mlflow, "log_input", racing_log_input)
        run.log_dataset("mnist", source, "abc123")
        monkeypatch.setattr(mlflow, "log_input", real_log_input)
        run_id = run.run_id
    inputs = tracking.connect().get_run(run_id).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("mnist", "abc123")]


def test_dataset_error_other_than_the_race_is_not_retried(tmp_path, monkeypatch):
    import mlflow

    def refused(dataset, context=None):
        raise mlflow.exceptions.MlflowException("store is read-only")

    monkeypatch.setattr(mlflow, "log_input", refused)
    with (
        pytest.raises(mlflow.exceptions.MlflowException, match="read-only"),
        tracking.run("unit", "bad", "train") as run,
    ):
        run.log_dataset("mnist", tmp_path / "mnist.npz", "abc123")
