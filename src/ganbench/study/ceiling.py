"""DVC stage `study_ceiling`: the supervised network (SGAN's discriminator + softmax) trained
on every training label: the accuracy the label study's methods approach from below."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganbench import atomic, params, tracking, training
from ganbench.data import prepare
from ganbench.models import sgan
from ganbench.models.base import scale_images
from ganbench.study import cells


@dataclass(frozen=True)
class CeilingPaths:
    prepared: Path = Path("data/prepared")
    result: Path = Path("results/study_ceiling.json")


def run(params_path: str = "params.yaml", paths: CeilingPaths | None = None) -> dict[str, Any]:
    paths = paths or CeilingPaths()
    config_all = params.load(params_path)
    study = cells.study_params(config_all, params_path)
    config = config_all.section("sgan", params_path)
    config = dataclasses.replace(
        config, baseline=dataclasses.replace(config.baseline, epochs=study.ceiling_epochs)
    )
    dataset = prepare.load(paths.prepared, config_all.data.dataset)
    tracking.connect()
    atomic.ensure_writable(paths.result.parent)
    training.set_determinism(config.schedule.seed, xla=False)
    started = time.perf_counter()
    with tracking.run("study", "ceiling: all labels", "study_ceiling") as tracked:
        tracked.log_params(params.flatten(config.baseline, "sgan.baseline."))
        x_train = scale_images(dataset.x_train, config.pixel_range)
        model, losses = sgan.train_baseline(config, x_train, dataset.y_train)
        x_test = scale_images(dataset.x_test, config.pixel_range)
        predicted = np.argmax(model.predict(x_test, batch_size=1000, verbose=0), axis=-1)
        accuracy = float(np.mean(predicted == dataset.y_test))
        tracked.log_metrics({"test_accuracy": accuracy})
        result = {
            "labels": len(dataset.y_train),
            "epochs": study.ceiling_epochs,
            "test_accuracy": accuracy,
            "final_loss": losses[-1],
            "wall_seconds": round(time.perf_counter() - started, 3),
            "mlflow_run_id": tracked.run_id,
        }
        atomic.write_json(paths.result, result)
    return result
