"""Iterations per second of each GAN family: the seed-style Keras loop vs ganbench's compiled
step (with and without XLA), same architecture, batch and machine, in one process; plus the
achieved GFLOP/s of each step against a float32 matmul peak measured in the same run.

    python benchmarks/throughput.py [--families sgan,acgan] [--seconds 20]

FLOPs are counted analytically from the layers (2 per multiply-add; a training pass counts
3x its forward pass: forward, input gradients, weight gradients; a pass through a frozen
network for the generator's loss counts 2x).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import seed_loops  # noqa: E402
from ganbench import params, training  # noqa: E402
from ganbench.data import prepare  # noqa: E402
from ganbench.models import registry  # noqa: E402
from ganbench.models.base import scale_images  # noqa: E402
from ganbench.models.sgan_fm import WeightNormDense  # noqa: E402
from ganbench.report import NOT_SEEDS  # noqa: E402


def matmul_peak_gflops(size: int = 2048, repeats: int = 20) -> float:
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    matmul()
    began = time.perf_counter()
    for _ in range(repeats):
        matmul().numpy()
    return 2 * size**3 * repeats / (time.perf_counter() - began) / 1e9


def forward_flops(model: keras.Model) -> float:
    """Multiply-add FLOPs of one sample through the model's Dense and convolution layers."""
    total = 0.0
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.layers.Dense):
            total += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
        elif isinstance(layer, WeightNormDense):
            total += 2 * layer.v.shape[0] * layer.v.shape[1]
        elif isinstance(layer, keras.layers.Conv2D | keras.layers.Conv1D):
            out = layer.output.shape
            positions = int(np.prod(out[1:-1]))
            total += 2 * positions * int(np.prod(layer.kernel.shape))
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            positions = int(np.prod(layer.input.shape[1:-1]))
            total += 2 * positions * int(np.prod(layer.kernel.shape))
    return total


def iteration_flops(gan: str, model, config) -> float:
    """Analytical FLOPs of one iteration of the seed's schedule (see module docstring)."""
    nets = model.networks()
    g = forward_flops(nets["generator"])
    d = forward_flops(nets.get("discriminator") or nets["critic"])
    n = config.schedule.batch_size
    if gan == "sgan":  # sup D, real D, fake (G fwd + D), G step through frozen D
        return n * (3 * d + 3 * d + g + 3 * d + 3 * g + 2 * d)
    if gan == "acgan":
        return n * (g + 3 * d + 3 * d + 3 * g + 2 * d)
    if gan == "wgan":
        return config.n_critic * n * (3 * d + g + 3 * d) + n * (3 * g + 2 * d)
    if gan == "sgan_fm":  # labelled, unlabelled and fake D passes; G through frozen D + real
        return n * (g + 3 * 3 * d) + n * (3 * g + 2 * d + d)
    # dcgan and gan1d: d_steps on a concatenated real + fake batch, then g_steps
    per_d = n * g + 2 * n * 3 * d
    return config.d_steps * per_d + config.g_steps * n * (3 * g + 2 * d)


def rate(run_once: Callable[[], None], seconds: float, min_iterations: int = 1) -> float:
    """Iterations per second after one warm-up iteration (compilation excluded)."""
    run_once()
    count, began = 0, time.perf_counter()
    while count < min_iterations or time.perf_counter() - began < seconds:
        run_once()
        count += 1
    return count / (time.perf_counter() - began)


def load_data(dataset: str) -> prepare.Dataset:
    """Prepared MNIST when `dvc repro prepare` has run; random pixels otherwise (speed only)."""
    try:
        return prepare.load(REPO / "data/prepared", dataset)
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)
        y = rng.integers(0, 10, 60000, dtype=np.uint8)
        return prepare.Dataset(x, y, x[:10000], y[:10000])


def seed_style(gan: str, config, data: prepare.Dataset):
    """The seed notebook's loop, or None for a family that has no seed notebook."""
    if gan in NOT_SEEDS:
        return None
    if gan == "gan1d":
        return seed_loops.gan1d_loop(config)[0]
    x = scale_images(data.x_train, config.pixel_range)
    if gan == "sgan":
        count = config.labelled.count
        return seed_loops.sgan_loop(config, x[:count], data.y_train[:count], x[count:])[0]
    if gan == "acgan":
        return seed_loops.acgan_loop(config, x, data.y_train)[0]
    if gan == "wgan":
        return seed_loops.wgan_loop(config, x)[0]
    return seed_loops.dcgan_loop(config, x)[0]


def ganbench_step(gan: str, config, data: prepare.Dataset, xla: bool):
    config = dataclasses.replace(config, schedule=dataclasses.replace(config.schedule, xla=xla))
    model = registry.module(gan).create(config, data, REPO / "data/prepared")
    step = training.compile_step(model)

    def run_once() -> None:
        _, finite = step()
        bool(finite)  # the loop's one host sync per step

    return model, config, run_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(registry.FAMILIES))
    parser.add_argument("--seconds", type=float, default=15.0, help="timing per measurement")
    parser.add_argument(
        "--tf-defaults",
        action="store_true",
        help="TensorFlow's default threading for both loops, instead of the pipeline's "
        "deterministic settings (one inter-op thread)",
    )
    args = parser.parse_args()

    config_all = params.load(REPO / "params.yaml")
    data = load_data(config_all.data.dataset)
    if not args.tf_defaults:
        training.set_determinism(0, xla=True)
    peak = matmul_peak_gflops()
    settings = "TensorFlow defaults" if args.tf_defaults else "pipeline settings"
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s; {settings}; {args.seconds:.0f} s per cell")
    header = (
        f"{'gan':6} {'GFLOP/it':>9} {'seed it/s':>10} {'step it/s':>10} {'xla it/s':>9} "
        f"{'best/seed':>9} {'GFLOP/s':>8} {'% peak':>7}"
    )
    print(header)
    for gan in args.families.split(","):
        config = config_all.gans[gan]
        seed_loop = seed_style(gan, config, data)
        seed_rate = rate(seed_loop, args.seconds) if seed_loop else float("nan")
        model, cfg, plain = ganbench_step(gan, config, data, xla=False)
        plain_rate = rate(plain, args.seconds)
        try:
            xla_rate = rate(ganbench_step(gan, config, data, xla=True)[2], args.seconds)
        except tf.errors.UnimplementedError:
            # e.g. DCGAN: MaxPool gradients have no deterministic XLA kernel
            xla_rate = float("nan")
        flops = iteration_flops(gan, model, cfg) / 1e9
        best = np.nanmax([plain_rate, xla_rate])
        achieved = flops * best
        print(
            f"{gan:6} {flops:9.3f} {seed_rate:10.2f} {plain_rate:10.2f} {xla_rate:9.2f} "
            f"{best / seed_rate:9.2f} {achieved:8.1f} {100 * achieved / peak:6.1f}%",
            flush=True,
        )


if __name__ == "__main__":
    main()
