"""DVC stage `reference`: publish the reference classifier with its accuracy and weights
hash (models/reference/, metrics/reference.json).

By default the network is the one pinned in the repository for the dataset (verified by its
hash), so that every machine measures with the same yardstick. `source: train` trains one
here instead; `pin` trains one and makes it the pinned network (an explicit maintenance
command: every FID-style number measured before it becomes incomparable).
"""

from __future__ import annotations

import datetime
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras

from ganbench.config import params
from ganbench.data import splits
from ganbench.evaluation import classification
from ganbench.plumbing import atomic, layout, machine, schema, tracking
from ganbench.scoring import reference
from ganbench.training import loop


@dataclass(frozen=True)
class ReferencePaths:
    prepared: Path = layout.default_path("prepared")
    pinned: Path = layout.default_path("references")
    model_dir: Path = layout.default_path("reference")
    metrics: Path = layout.default_path("reference_metrics")


def test_accuracy(model: keras.Model, dataset: splits.Dataset) -> dict[str, Any]:
    net = reference.ReferenceNetwork(model)
    predicted = net.predict_classes(reference.unit_images(dataset.x_test))
    return classification.accuracy_report(dataset.y_test, predicted)


def train_here(p: params.ReferenceParams, dataset: splits.Dataset):
    loop.set_determinism(p.seed, xla=False)
    return reference.train(p, reference.unit_images(dataset.x_train), dataset.y_train)


def publish(model: keras.Model, pinned_file: Path | None, directory: Path) -> None:
    """Write the network into `directory`. The pinned one is copied byte for byte: a Keras
    save stamps the date into the file, so re-saving it would give `models/reference` a new
    DVC hash on every machine and mark every stage downstream as changed."""
    target = directory / reference.MODEL_FILE
    if pinned_file is not None:
        shutil.copyfile(pinned_file, target)
    else:
        model.save(target)


def run(
    params_path: str = "params.yaml",
    paths: ReferencePaths | None = None,
    register_as: str | None = None,
) -> dict[str, Any]:
    """Publish the reference network (pinned or trained here); with `register_as`, also
    register it as the MLflow Model `ganbench-reference-<dataset>` under that alias."""
    paths = paths or ReferencePaths()
    config_all = params.load(params_path)
    p: params.ReferenceParams = config_all.section("reference", params_path)
    name = config_all.data.dataset
    dataset = splits.load(paths.prepared, name)
    loop.configure_runtime(xla=False)  # before TensorFlow's first op
    pinned = reference.load_pinned(paths.pinned, name) if p.source == "pinned" else None
    pinned_file, _ = reference.pinned_paths(paths.pinned, name)
    tracking.connect()
    atomic.ensure_writable(paths.model_dir.parent, paths.metrics.parent)
    started = time.perf_counter()
    with tracking.run("reference", "reference", "reference") as tracked:
        tracked.log_params(schema.flatten(p, "reference."))
        tracked.log_params({"data.dataset": name})
        if pinned is not None:
            model, record = pinned
            losses: list[float] = []
        else:
            model, losses = train_here(p, dataset)
            record = None
        for epoch, loss in enumerate(losses, start=1):
            tracked.log_metrics({"loss": loss}, step=epoch)
        report = test_accuracy(model, dataset)
        weights = reference.weights_hash(model)
        metrics = {
            "dataset": name,
            "source": p.source,
            "test_accuracy": report["accuracy"],
            "per_class_accuracy": report["per_class_accuracy"],
            "weights_hash": weights,
            "wall_seconds": round(time.perf_counter() - started, 3),
            "mlflow_run_id": tracked.run_id,
        }
        if record is not None:
            metrics["pinned"] = {
                key: record[key] for key in ("git_commit", "date", "machine") if key in record
            }
        else:
            metrics.update(epochs=p.epochs, final_loss=losses[-1])
        tracked.log_metrics({"test_accuracy": report["accuracy"]})
        tracked.set_tags({"weights_hash": weights, "reference_source": p.source})
        with atomic.staged_dir(paths.model_dir) as staging:
            publish(model, pinned_file if pinned is not None else None, staging)
        if register_as:
            metrics["mlflow_model_uri"] = tracked.log_keras_model(
                model,
                "classifier",
                reference.unit_images(dataset.x_test[:2]),
                f"ganbench-reference-{name}",
                register_as,
                {"weights_hash": weights, "source": p.source, "input_range": "unit"},
            )
        atomic.write_json(paths.metrics, metrics)
    return metrics


def pin(params_path: str = "params.yaml", paths: ReferencePaths | None = None) -> dict[str, Any]:
    """Train the reference network with params.yaml's settings on data.dataset and make it
    the pinned one; returns its record (with the new and the previous weights hash)."""
    paths = paths or ReferencePaths()
    config_all = params.load(params_path)
    p: params.ReferenceParams = config_all.section("reference", params_path)
    name = config_all.data.dataset
    dataset = splits.load(paths.prepared, name)
    atomic.ensure_writable(paths.pinned)
    _, record_path = reference.pinned_paths(paths.pinned, name)
    previous = (
        json.loads(record_path.read_text())["weights_hash"] if record_path.is_file() else None
    )
    started = time.perf_counter()
    model, losses = train_here(p, dataset)
    report = test_accuracy(model, dataset)
    record = reference.pin(
        model,
        paths.pinned,
        name,
        {
            "test_accuracy": report["accuracy"],
            "final_loss": losses[-1],
            "params": schema.flatten(p),
            "git_commit": tracking.git_commit(),
            "date": datetime.date.today().isoformat(),
            "machine": machine.describe(),
            "train_seconds": round(time.perf_counter() - started, 1),
        },
    )
    return {**record, "previous_weights_hash": previous}
