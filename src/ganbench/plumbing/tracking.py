"""Experiment tracking: the only module that imports mlflow.

Keeping MLflow behind this small surface means the rest of the code logs plain dicts and
paths, the store location is decided in one place, and every run ends with an honest status:
FINISHED when the block completed, FAILED (with the error as a tag) when it raised.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
from mlflow.tracking import MlflowClient

from ganbench.plumbing import quiet
from ganbench.plumbing.errors import TrackingError

EXPERIMENT_PREFIX = "ganbench"
MAX_TAG_CHARS = 5000
MAX_PARAM_CHARS = 6000

# The system-metrics monitor announces its start and stop at INFO in every stage; its
# warnings (a failed sample) still show.
logging.getLogger("mlflow.system_metrics").setLevel(logging.WARNING)


def repo_root(start: Path | None = None) -> Path:
    """The outermost directory above `start` holding both dvc.yaml and .dvc/.

    Outermost, not nearest: DVC's queued experiments run in temporary copies of the
    repository placed inside its .dvc/tmp/, and their runs must land in the real store.
    """
    here = (start or Path.cwd()).resolve()
    found: Path | None = None
    for candidate in (here, *here.parents):
        if (candidate / "dvc.yaml").is_file() and (candidate / ".dvc").is_dir():
            found = candidate
    return found or here


def tracking_uri(start: Path | None = None) -> str:
    """MLFLOW_TRACKING_URI when set, else an absolute SQLite store at the repository root."""
    from_env = os.environ.get("MLFLOW_TRACKING_URI", "").strip()
    if from_env:
        return from_env
    return f"sqlite:///{repo_root(start) / 'mlflow.db'}"


def default_artifact_root(start: Path | None = None) -> str | None:
    """Artifacts beside the default SQLite store; a server decides its own otherwise."""
    if os.environ.get("MLFLOW_TRACKING_URI", "").strip():
        return None
    return (repo_root(start) / "mlartifacts").as_uri()


def git_commit(start: Path | None = None) -> str:
    """The checked-out commit, or 'unknown' outside a git checkout."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=start or Path.cwd(),
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return result.stdout.strip()


def default_alias() -> str:
    """The registry alias a stage gives the models it registers: the DVC experiment's name
    under `dvc exp run`, else `default-profile` (a plain `dvc repro` of params.yaml)."""
    name = os.environ.get("DVC_EXP_NAME", "").strip()
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name) or "default-profile"


def standard_tags(stage: str) -> dict[str, str]:
    """Tags every run carries: commit, DVC stage, the DVC experiment name and the long runs'
    job graph and task, where there are any."""
    tags = {"git_commit": git_commit(), "dvc_stage": os.environ.get("DVC_STAGE", stage)}
    if exp_name := os.environ.get("DVC_EXP_NAME"):
        tags["dvc_experiment"] = exp_name
    # set by the long runs' executor: which job graph, and which task of it
    if graph := os.environ.get("GANBENCH_GRAPH_ID"):
        tags["ganbench.graph_id"] = graph
    if task := os.environ.get("GANBENCH_TASK"):
        tags["ganbench.task"] = task
    return tags


def _experiment_id(client: MlflowClient, area: str) -> str:
    name = f"{EXPERIMENT_PREFIX}/{area}"
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    try:
        # a training experiment, not a GenAI one: the UI opens on its runs table
        return client.create_experiment(
            name,
            artifact_location=default_artifact_root(),
            tags={"mlflow.experimentKind": "custom_model_development"},
        )
    except mlflow.exceptions.MlflowException:
        # Another process created it in the meantime (parallel DVC queue workers).
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise
        return experiment.experiment_id


def connect() -> MlflowClient:
    """Point MLflow at the store and prove it answers, so a bad URI fails before any work."""
    uri = tracking_uri()
    # MLflow's default HTTP back-off retries for minutes; an unreachable server should be
    # reported within seconds. Users may still raise both through the environment.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "3")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    try:
        mlflow.set_tracking_uri(uri)
        client = MlflowClient(uri)
        client.search_experiments(max_results=1)
    except Exception as err:
        summary = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise TrackingError(f"MLFLOW_TRACKING_URI {uri}: store unreachable ({summary})") from err
    return client


@dataclass
class Run:
    """Handle to an active run; plain values in, nothing MLflow-specific out."""

    run_id: str
    experiment_id: str

    def log_params(self, params: Mapping[str, Any]) -> None:
        clean = {k: str(v)[:MAX_PARAM_CHARS] for k, v in params.items()}
        mlflow.log_params(clean)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        mlflow.log_metrics({k: float(v) for k, v in metrics.items()}, step=step)

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        mlflow.set_tags({k: str(v)[:MAX_TAG_CHARS] for k, v in tags.items()})

    def log_artifact(self, path: str | Path, artifact_path: str | None = None) -> None:
        mlflow.log_artifact(str(path), artifact_path=artifact_path)

    def log_artifacts(self, directory: str | Path, artifact_path: str | None = None) -> None:
        mlflow.log_artifacts(str(directory), artifact_path=artifact_path)

    def log_dataset(self, name: str, source: str | Path, digest: str) -> None:
        """The data a run read, as an MLflow dataset input (the runs table's Dataset
        column): its name, the prepared file it came from, and its content digest."""
        from mlflow.data.dataset_source_registry import resolve_dataset_source
        from mlflow.data.meta_dataset import MetaDataset

        located = resolve_dataset_source(Path(source).resolve().as_uri())
        dataset = MetaDataset(located, name=name, digest=digest)
        try:
            mlflow.log_input(dataset, context="training")
        except mlflow.exceptions.MlflowException as err:
            # two runs starting at once on a store that has not seen this dataset both
            # insert it; the loser's second try finds the winner's row and links to it
            if "unique constraint" not in str(err).lower():
                raise
            mlflow.log_input(dataset, context="training")

    def log_keras_model(
        self,
        network: Any,
        name: str,
        input_example: Any,
        registered_name: str,
        alias: str | None,
        metadata: Mapping[str, Any] | None = None,
    ) -> str:
        """Log a Keras network as an MLflow Model (Keras flavor, with the signature of its
        input example), register it under `registered_name`, point `alias` at the new
        version; returns the version's `models:/name/version` URI."""
        from mlflow.models import Model, infer_signature

        signature = infer_signature(input_example, network.predict(input_example, verbose=0))
        with quiet.keras_progress_off():  # MLflow predicts on the input example
            info = Model.log(
                artifact_path=None,
                name=name,
                flavor=KerasFlavor,
                model=network,
                signature=signature,
                input_example=input_example,
                registered_model_name=registered_name,
                pip_requirements=keras_requirements(),
                metadata=dict(metadata or {}),
            )
        version = info.registered_model_version
        if alias:
            MlflowClient().set_registered_model_alias(registered_name, alias, version)
        return f"models:/{registered_name}/{version}"


@contextlib.contextmanager
def run(
    area: str,
    name: str,
    stage: str,
    *,
    run_id: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    system_metrics: bool = False,
) -> Iterator[Run]:
    """Start (or resume, with `run_id`) a run; end it FAILED with the error tagged on raise.
    `system_metrics` samples CPU and memory use into the run while it is open."""
    client = connect()
    experiment_id = _experiment_id(client, area)
    all_tags = {**standard_tags(stage), **(tags or {})}
    active = mlflow.start_run(
        run_id=run_id,
        experiment_id=experiment_id,
        run_name=None if run_id else name,
        nested=nested,
        tags=None if run_id else all_tags,
        log_system_metrics=system_metrics,
    )
    handle = Run(run_id=active.info.run_id, experiment_id=experiment_id)
    try:
        yield handle
    except BaseException as err:
        message = f"{type(err).__name__}: {err}"
        with contextlib.suppress(Exception):
            mlflow.set_tag("error", message[:MAX_TAG_CHARS])
        mlflow.end_run(status="FAILED")
        raise
    mlflow.end_run(status="FINISHED")


class KerasFlavor:
    """mlflow.keras, with the model's folder made before the flavor fills it: MLflow 3.17's
    Keras flavor writes the input example before it creates the folder (FileNotFoundError
    from `log_model` with an input example)."""

    __name__ = "mlflow.keras"

    @staticmethod
    def save_model(path: str, **kwargs: Any) -> None:
        import mlflow.keras

        os.makedirs(path, exist_ok=True)
        mlflow.keras.save_model(path=path, **kwargs)


def load_keras_model(uri: str) -> tuple[Any, dict[str, Any]]:
    """A Keras network logged as an MLflow Model (e.g. `models:/ganbench-dcgan-generator@
    default-profile`) and the metadata it was logged with."""
    import mlflow.keras
    from mlflow.models import Model

    connect()
    try:
        metadata = Model.load(uri).metadata or {}
        return mlflow.keras.load_model(uri), metadata
    except mlflow.exceptions.MlflowException as err:
        summary = str(err).splitlines()[0]
        raise TrackingError(f"{uri}: cannot load the model ({summary})") from err


def keras_requirements() -> list[str]:
    """The pinned libraries a logged Keras model needs (given, not inferred: inference
    imports the model in a fresh environment, slowly)."""
    from importlib import metadata

    packages = ("tensorflow-cpu", "tensorflow", "keras", "numpy")  # the CPU or the GPU build
    found = []
    for package in packages:
        try:
            found.append(f"{package}=={metadata.version(package)}")
        except metadata.PackageNotFoundError:
            continue
    return found


def add_to_run(
    run_id: str, metrics: Mapping[str, float], tags: Mapping[str, Any] | None = None
) -> None:
    """Add metrics and tags to a finished run without reopening it: its status, start and
    end time stay those of the work it recorded (evaluation is not training time)."""
    from mlflow.entities import Metric, RunTag

    client = connect()
    now = int(time.time() * 1000)
    entries = [Metric(k, float(v), now, 0) for k, v in metrics.items()]
    tag_entries = [RunTag(k, str(v)[:MAX_TAG_CHARS]) for k, v in (tags or {}).items()]
    for start in range(0, max(len(entries), 1), 1000):  # the store's batch limit
        client.log_batch(run_id, metrics=entries[start : start + 1000], tags=tag_entries)
        tag_entries = []


def adopt(parent_run_id: str, child_run_ids: list[str]) -> list[str]:
    """File finished runs under a parent, as the MLflow UI nests runs (the parent tag).

    A run this store lacks (DVC skipped its stage here because the committed output was
    current) cannot be nested: its id is recorded on the parent instead, and returned. Any
    other failure of the store is raised."""
    client = connect()
    elsewhere = []
    for child in child_run_ids:
        try:
            client.set_tag(child, "mlflow.parentRunId", parent_run_id)
        except mlflow.exceptions.MlflowException as error:
            if error.error_code != "RESOURCE_DOES_NOT_EXIST":
                raise  # the store itself failed: not a run from elsewhere
            elsewhere.append(child)
    if elsewhere:
        client.set_tag(parent_run_id, "ganbench.runs_from_another_store", ",".join(elsewhere))
    return elsewhere


def tag_finished(run_id: str, tags: Mapping[str, Any]) -> None:
    """Tag a run after it ended (what it led to is known only then)."""
    client = connect()
    for key, value in tags.items():
        client.set_tag(run_id, key, str(value)[:MAX_TAG_CHARS])


def run_status(run_id: str) -> str:
    """Status of a run (FINISHED, FAILED, ...), for tests and reports."""
    return connect().get_run(run_id).info.status


def find_runs(area: str, filter_string: str = "") -> list[Any]:
    """Runs of one pipeline area, newest first."""
    client = connect()
    experiment = client.get_experiment_by_name(f"{EXPERIMENT_PREFIX}/{area}")
    if experiment is None:
        return []
    return client.search_runs(
        [experiment.experiment_id], filter_string=filter_string, order_by=["start_time DESC"]
    )
