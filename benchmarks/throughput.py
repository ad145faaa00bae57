"""Iterations per second of each GAN family: the seed-style Keras loop vs ganbench's compiled
step (with and without XLA), same architecture, batch and machine, in one run; plus the
achieved GFLOP/s of each step against a float32 matmul peak measured in the same run.

    python benchmarks/throughput.py [--families sgan,acgan] [--seconds 20] [--json FILE]

FLOPs come from TensorFlow's own per-op counts (the `flops` statistics its profiler sums)
over the ops of one traced iteration that run (forward, gradients, optimizer updates; not
the gradients a gradient function emits and execution prunes), not from a count written
by hand, so the "% of peak" column is comparable across families. The peak is the best of
TensorFlow's and XLA's float32 matmul at three sizes, so no kernel the steps use is
measured against a slower yardstick than the machine offers.

The seed loop is timed twice: as a user of the seed would run it, on TensorFlow's default
CPU kernels (oneDNN only on AVX-512 VNNI/BF16 or AMX CPUs; a child process, since the
choice is made when TensorFlow loads), and on the pipeline's kernels (oneDNN everywhere),
so a speed-up shows how much is the kernels and how much the compiled step. Each step is
built under the pipeline's runtime settings for its path (Grappler off without XLA, as
loop.configure_runtime sets it). The machine (CPU model and flags, cores, TensorFlow
and Keras versions, oneDNN) is printed first and written into the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # an XLA path that cannot compile: n/a

import ganbench  # noqa: F401  (first: the pipeline's CPU kernels, see ganbench.training.kernels)

# isort: split
import numpy as np
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import seed_loops  # noqa: E402
from ganbench.config import params  # noqa: E402
from ganbench.data import splits  # noqa: E402
from ganbench.models import registry  # noqa: E402
from ganbench.plumbing import machine  # noqa: E402
from ganbench.training import loop  # noqa: E402


def matmul_peak_gflops(
    sizes: tuple[int, ...] = (1024, 2048, 4096), flop_budget: float = 4e10
) -> float:
    """The best float32 matmul GFLOP/s of this process: TensorFlow's op and XLA's."""
    best = 0.0
    for jit in (False, True):
        for size in sizes:
            a = tf.random.normal((size, size))
            b = tf.random.normal((size, size))
            matmul = tf.function(lambda a=a, b=b: tf.reduce_sum(tf.matmul(a, b)), jit_compile=jit)
            matmul().numpy()
            repeats = max(3, int(flop_budget / (2 * size**3)))
            began = time.perf_counter()
            for _ in range(repeats):
                matmul().numpy()
            best = max(best, 2 * size**3 * repeats / (time.perf_counter() - began) / 1e9)
    return best


def step_flops(model) -> float:
    """FLOPs of one iteration: TensorFlow's own per-op count (the statistics the profiler
    sums) over the ops of the traced step that run."""
    return live_flops(tf.function(model.train_step).get_concrete_function().graph)


def live_flops(graph: tf.Graph) -> float:
    """Sum of the registered `flops` statistic over the graph's live ops: those the
    function's outputs or its stateful ops (variable updates) depend on. A gradient
    function emits every input's gradient, so a step that trains the generator through a
    frozen discriminator also holds the discriminator's filter gradients, which execution
    prunes: the profiler's whole-graph count included them (DCGAN: 3,699 against 2,859
    GFLOP run)."""
    from tensorflow.python.framework import ops

    total = 0
    for op in live_operations(graph):
        with contextlib.suppress(ValueError):  # an op with no count, or unknown shapes
            total += ops.get_stats_for_node_def(graph, op.node_def, "flops").value or 0
    return float(total)


def live_operations(graph: tf.Graph) -> list[tf.Operation]:
    """The graph's ops that run: those its outputs or its stateful ops (variable updates)
    depend on, in graph order."""
    todo = [t.op for t in graph.outputs] + list(graph.control_outputs)
    live: set[str] = set()
    while todo:
        op = todo.pop()
        if op.name not in live:
            live.add(op.name)
            todo.extend(t.op for t in op.inputs)
            todo.extend(op.control_inputs)
    return [op for op in graph.get_operations() if op.name in live]


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
    """The compiled step as the train stage runs it on that path."""
    config = dataclasses.replace(config, schedule=dataclasses.replace(config.schedule, xla=xla))
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not xla})
    model = registry.module(gan).create(config, data, REPO / "data/prepared")
    step = loop.compile_step(model)

    def run_once() -> None:
        _, finite = step()
        bool(finite)  # the loop's one host sync per step

    return model, config, run_once


def seed_rate_on_default_kernels(gan: str, seconds: float) -> float:
    """The seed loop's it/s in a child process on TensorFlow's default CPU kernels."""
    _, flags = machine.cpu_info()
    default = "1" if machine.tensorflow_default_onednn(flags) else "0"
    env = {**os.environ, machine.ONEDNN_SWITCH: default}
    args = [sys.executable, __file__, "--seed-loop-only", gan, "--seconds", str(seconds)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


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
    parser.add_argument("--seed-loop-only", metavar="GAN", help=argparse.SUPPRESS)
    args = parser.parse_args()

    config_all = params.load(REPO / "params.yaml")
    data = load_data(config_all.data.dataset)
    if not args.tf_defaults:
        loop.set_determinism(0, xla=True)
    if args.seed_loop_only:  # the child process of seed_rate_on_default_kernels
        gan = args.seed_loop_only
        print(rate(seed_loops.seed_loop(gan, config_all.gans[gan], data), args.seconds))
        return
    peak = matmul_peak_gflops()
    settings = "TensorFlow defaults" if args.tf_defaults else "pipeline settings"
    record = machine.describe()
    print(
        f"machine: {machine.one_line(record)}; TensorFlow {record['tensorflow']}, Keras "
        f"{record['keras']}, oneDNN {'on' if record['onednn'] else 'off'}"
    )
    print(f"float32 matmul peak: {peak:.1f} GFLOP/s; {settings}; {args.seconds:.0f} s per cell")
    same_kernels = machine.tensorflow_default_onednn(machine.cpu_info()[1]) == record["onednn"]
    print(
        "seed loop on TensorFlow's default kernels"
        + (" (the pipeline's too)" if same_kernels else " (child process) and the pipeline's")
    )
    header = (
        f"{'gan':7} {'GFLOP/it':>9} {'seed it/s':>10} {'seed+pk':>8} {'step it/s':>10} "
        f"{'xla it/s':>9} {'best/seed':>9} {'GFLOP/s':>8} {'% peak':>7}"
    )
    print(header)
    rows = []
    for gan in args.families.split(","):
        config = config_all.gans[gan]
        has_seed = registry.family(gan).seed is not None
        seed_loop = seed_loops.seed_loop(gan, config, data) if has_seed else None
        # the seed loop on the pipeline's kernels, then on TensorFlow's default ones
        seed_pipeline_rate = rate(seed_loop, args.seconds) if seed_loop else math.nan
        seed_rate = seed_pipeline_rate
        if has_seed and not same_kernels:
            seed_rate = seed_rate_on_default_kernels(gan, args.seconds)
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
            "seed_pipeline_kernels_iterations_per_second": seed_pipeline_rate,
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
            f"{cell(shown['seed_pipeline_kernels_iterations_per_second'], 8)} "
            f"{plain_rate:10.2f} {cell(shown['xla_iterations_per_second'], 9)} "
            f"{cell(shown['best_over_seed'], 9)} {achieved:8.1f} {100 * achieved / peak:6.1f}%",
            flush=True,
        )
    if args.json:
        table = {
            "machine": record,
            "matmul_peak_gflops": peak,
            "settings": settings,
            "seed_loop_kernels": "tensorflow default" if same_kernels else "both",
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
