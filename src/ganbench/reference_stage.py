"""DVC stage `reference`: train the reference classifier and publish it with its accuracy
and weights hash (models/reference/, metrics/reference.json)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ganbench import atomic, params, reference, tracking, training
from ganbench.data import prepare
from ganbench.evaluation import classification


@dataclass(frozen=True)
class ReferencePaths:
    prepared: Path = Path("data/prepared")
    model_dir: Path = Path("models/reference")
    metrics: Path = Path("metrics/reference.json")


def run(params_path: str = "params.yaml", paths: ReferencePaths | None = None) -> dict[str, Any]:
    paths = paths or ReferencePaths()
    config_all = params.load(params_path)
    p: reference.ReferenceParams = config_all.section("reference", params_path)
    dataset = prepare.load(paths.prepared, config_all.data.dataset)
    tracking.connect()
    atomic.ensure_writable(paths.model_dir.parent, paths.metrics.parent)
    training.set_determinism(p.seed, xla=False)
    started = time.perf_counter()
    with tracking.run("reference", "reference", "reference") as tracked:
        tracked.log_params(params.flatten(p, "reference."))
        tracked.log_params({"data.dataset": config_all.data.dataset})
        model, losses = reference.train(p, reference.unit_images(dataset.x_train), dataset.y_train)
        for epoch, loss in enumerate(losses, start=1):
            tracked.log_metrics({"loss": loss}, step=epoch)
        net = reference.ReferenceNetwork(model)
        predicted = net.predict_classes(reference.unit_images(dataset.x_test))
        report = classification.accuracy_report(dataset.y_test, predicted)
        metrics = {
            "dataset": config_all.data.dataset,
            "test_accuracy": report["accuracy"],
            "per_class_accuracy": report["per_class_accuracy"],
            "weights_hash": net.weights_hash,
            "epochs": p.epochs,
            "final_loss": losses[-1],
            "wall_seconds": round(time.perf_counter() - started, 3),
            "mlflow_run_id": tracked.run_id,
        }
        tracked.log_metrics({"test_accuracy": report["accuracy"]})
        tracked.set_tags({"weights_hash": net.weights_hash})
        with atomic.staged_dir(paths.model_dir) as staging:
            model.save(staging / "classifier.keras")
        atomic.write_json(paths.metrics, metrics)
    return metrics
