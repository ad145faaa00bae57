"""Iterations per second of each GAN family: the seed-style Keras loop vs ganbench's compiled
step (with and without XLA), same architecture, batch and machine, in one process; plus the
achieved GFLOP/s of each step against a float32 matmul peak measured in the same run.

    python benchmarks/throughput.py [--families sgan,acgan] [--seconds 20] [--json FILE]

FLOPs come from TensorFlow's own count of the step's graph (the profiler's float_operation
statistics over every op of one traced iteration: forward, gradients, optimizer updates),
not from a count written by hand, so the "% of peak" column is comparable across families.
The machine (CPU model and flags, cores, TensorFlow and Keras versions, oneDNN) is printed
first and written into the JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # an XLA path that cannot compile: n/a

import numpy as np
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import seed_loops  # noqa: E402
from ganbench import machine, params, training  # noqa: E402
from ganbench.data import splits  # noqa: E402
from ganbench.models import registry  # noqa: E402


def matmul_peak_gflops(size: int = 2048, repeats: int = 20) -> float:
    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))
    matmul()
    began = time.perf_counter()
    for _ in range(repeats):
        matmul().numpy()
    return 2 * size**3 * repeats / (time.perf_counter() - began) / 1e9


def step_flops(model) -> float:
    """FLOPs of one iteration, as TensorFlow's profiler counts the traced step's graph."""
    from tensorflow.python.profiler import model_analyzer, option_builder

    graph = tf.function(model.train_step).get_concrete_function().graph
    options = option_builder.ProfileOptionBuilder.float_operation()
    options["output"] = "none"
    return float(model_analyzer.profile(graph, options=options).total_float_ops)


def rate(run_once: Callable[[], None], seconds: float, min_iterations: int = 1) -> float:
    """Iterations per second after one warm-up iteration (compilation excluded)."""
    run_once()
    count, began = 0, time.perf_counter()
    while count < min_iterations or time.perf_counter() - began < seconds:
        run_once()
        count += 1
    return count / (time.perf_counter() - began)


def load_data(dataset: str) -> splits.Dataset:
    """Prepared MNIST when `dvc repro prepare` has run; random pixels otherwise (speed only)."""
    try:
        return splits.load(REPO / "data/prepared", dataset)
    except FileNotFoundError:
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, (60000, 28, 28), dtype=np.uint8)
        y = rng.integers(0, 10, 60000, dtype=np.uint8)
        return splits.Dataset(x, y, x[:10000], y[:10000])


def ganbench_step(gan: str, config, data: splits.Dataset, xla: bool):
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
    parser.add_argument("--json", type=Path, help="also write the table (and the machine) here")
    args = parser.parse_args()

    config_all = params.load(REPO / "params.yaml")
    data = load_data(config_all.data.dataset)
    if not args.tf_defaults:
        training.set_determinism(0, xla=True)
    peak = matmul_peak_gflops()
    settings = "TensorFlow defaults" if args.tf_defaults else "pipeline settings"
    record = machine.describe()
    print(
        f"machine: {machine.one_line(record)}; TensorFlow {record['tensorflow']}, Keras "
        f"{record['keras']}, oneDNN {'on' if record['onednn'] else 'off'}"
    )
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s; {settings}; {args.seconds:.0f} s per cell")
    header = (
        f"{'gan':7} {'GFLOP/it':>9} {'seed it/s':>10} {'step it/s':>10} {'xla it/s':>9} "
        f"{'best/seed':>9} {'GFLOP/s':>8} {'% peak':>7}"
    )
    print(header)
    rows = []
    for gan in args.families.split(","):
        config = config_all.gans[gan]
        has_seed = registry.family(gan).seed is not None
        seed_loop = seed_loops.seed_loop(gan, config, data) if has_seed else None
        seed_rate = rate(seed_loop, args.seconds) if seed_loop else math.nan
        model, _cfg, plain = ganbench_step(gan, config, data, xla=False)
        plain_rate = rate(plain, args.seconds)
        try:
            xla_rate = rate(ganbench_step(gan, config, data, xla=True)[2], args.seconds)
        except (tf.errors.UnimplementedError, tf.errors.InvalidArgumentError):
            # e.g. DCGAN: MaxPool gradients have no deterministic XLA kernel
            xla_rate = math.nan
        flops = step_flops(model) / 1e9
        best = float(np.nanmax([plain_rate, xla_rate]))
        achieved = flops * best
        row = {
            "gan": gan,
            "gflop_per_iteration": flops,
            "seed_iterations_per_second": seed_rate,
            "step_iterations_per_second": plain_rate,
            "xla_iterations_per_second": xla_rate,
            "best_over_seed": best / seed_rate,
            "achieved_gflops": achieved,
            "percent_of_peak": 100 * achieved / peak,
        }
        rows.append(row)
        shown = {
            k: ("n/a" if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()
        }
        print(
            f"{gan:7} {flops:9.3f} {cell(shown['seed_iterations_per_second'], 10)} "
            f"{plain_rate:10.2f} {cell(shown['xla_iterations_per_second'], 9)} "
            f"{cell(shown['best_over_seed'], 9)} {achieved:8.1f} {100 * achieved / peak:6.1f}%",
            flush=True,
        )
    if args.json:
        table = {
            "machine": record,
            "matmul_peak_gflops": peak,
            "settings": settings,
            "seconds_per_cell": args.seconds,
            "rows": [
                {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
                for r in rows
            ],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")


def cell(value: float | str, width: int) -> str:
    return f"{value:>{width}}" if isinstance(value, str) else f"{value:{width}.2f}"


if __name__ == "__main__":
    main()
