"""Seconds to evaluate one GAN on N samples with the pipeline's own functions: reference
features and softmax of generated and real images, FID-style, KID, precision/recall/density/
coverage, classifier score and the pixel comparison. The untrained-generator ceiling and the
real-vs-real floor repeat the metric part, so they are reported as that part's multiples.

    python benchmarks/evaluation.py [--gan sgan] [--samples 10000]

Needs the outputs of `dvc repro reference train@<gan>` (models/reference, models/<gan>).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ganbench  # noqa: F401  (first: the pipeline's CPU kernels, see ganbench.training.kernels)

# isort: split
import keras

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ganbench.config import params  # noqa: E402
from ganbench.data import splits  # noqa: E402
from ganbench.models import registry  # noqa: E402
from ganbench.scoring import image_scores, reference  # noqa: E402
from ganbench.training import loop  # noqa: E402


def timed(label: str, action: Callable[[], Any], log: list[tuple[str, float]]) -> Any:
    began = time.perf_counter()
    result = action()
    log.append((label, time.perf_counter() - began))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gan", default="sgan")
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()

    config_all = params.load(REPO / "params.yaml")
    p = dataclasses.replace(config_all.section("evaluate"), samples=args.samples)
    config = config_all.section(args.gan)
    dataset = splits.load(REPO / "data/prepared", config_all.data.dataset)
    loop.set_determinism(0, xla=False)
    net = reference.ReferenceNetwork(
        keras.models.load_model(REPO / "models/reference/classifier.keras")
    )
    generator = keras.models.load_model(REPO / f"models/{args.gan}/generator.keras")
    sampler = registry.module(args.gan).sampler(config, generator)

    log: list[tuple[str, float]] = []
    generated = timed(
        "generate (not part of the target)", lambda: sampler.generate(p.samples, 0), log
    )
    real_pixels = reference.unit_images(dataset.x_train[: p.real_samples])
    fake = timed("features: generated", lambda: image_scores.ImageSet.of(net, generated), log)
    real = timed("features: real", lambda: image_scores.ImageSet.of(net, real_pixels), log)
    timed(
        "metrics (FID, KID, P/R/D/C, CS, pixels)",
        lambda: image_scores.feature_metrics(fake, real, p),
        log,
    )

    total = sum(seconds for label, seconds in log[1:])
    metric_seconds = log[-1][1]
    print(f"evaluate {args.gan} on {p.samples} samples, {p.real_samples} real images")
    for label, seconds in log:
        print(f"  {label:45s} {seconds:7.2f} s")
    print(f"  {'total: features + metrics':45s} {total:7.2f} s (target <= 60 s)")
    print(
        f"  the stage also scores floor and ceiling: + 2 x {metric_seconds:.2f} s metrics, "
        f"+ features of the test set and the untrained generator's samples"
    )


if __name__ == "__main__":
    main()
