"""DVC stage `study_ceiling`: the supervised network (the baseline family's classifier
network, the seed SGAN's discriminator + softmax) trained on every training label: the
accuracy the label study's methods approach from below."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.models import registry
from ganbench.models.base import scale_images
from ganbench.plumbing import atomic, layout, schema, tracking
from ganbench.training import loop, runner


@dataclass(frozen=True)
class CeilingPaths:
    prepared: Path = layout.default_path("prepared")
    result: Path = layout.default_path("study_ceiling")


def run(params_path: str = "params.yaml", paths: CeilingPaths | None = None) -> dict[str, Any]:
    paths = paths or CeilingPaths()
    stage = runner.open_stage(params_path, paths.prepared, (paths.result.parent,))
    study = stage.config.study(params_path)
    family = registry.with_supervised_baseline()
    config = stage.config.section(family.name, params_path)
    config = dataclasses.replace(
        config, baseline=dataclasses.replace(config.baseline, epochs=study.ceiling_epochs)
    )
    dataset = stage.dataset
    loop.set_determinism(config.schedule.seed, xla=False)
    started = time.perf_counter()
    with tracking.run("study", "ceiling: all labels", "study_ceiling") as tracked:
        tracked.log_params(schema.flatten(config.baseline, f"{family.name}.baseline."))
        x_train = scale_images(dataset.x_train, config.pixel_range)
        module = registry.module(family.name)
        model, losses = module.train_baseline(config, x_train, dataset.y_train)
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
