"""How much faster a family's compiled step could get without changing its algorithm, measured
side by side in one run: its achieved GFLOP/s against a matmul peak on the same threads, and
what its random layers (dropout, Gaussian noise) cost.

    TF_NUM_INTRAOP_THREADS=1 python benchmarks/headroom.py [--families sgan,sgan_fm]
        [--seconds 10] [--rounds 2] [--json FILE]

Per family: the step on both paths (XLA and not); the same step with its random layers
switched off (dropout 0, noise σ 0), the rate it would reach if random numbers were free
(the four timed round-robin, best of `--rounds` rounds each);
how many random numbers one step draws (counted over the live ops of its graph); and what
drawing that many Gaussian numbers costs here, with TensorFlow's normal kernel and by
Box-Muller from its uniform kernel. The ceiling, 1 / (1 / rate without random layers +
cheapest draw), is what the step could reach with its noise drawn at the cheapest rate
measured and everything else as fast as the fastest path measured: a speed target above it
needs another algorithm (fewer FLOPs or fewer random numbers), not another implementation.

Run it once with one intra-op thread (how the long runs and the paper study use a core) and
once with all: the peak is measured on the same threads. The machine is printed first and
written into the JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import ganbench  # noqa: F401  (first: the pipeline's CPU kernels, see ganbench.training.kernels)

# isort: split
import tensorflow as tf

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.throughput import (  # noqa: E402
    ganbench_step,
    live_flops,
    live_operations,
    load_data,
    matmul_peak_gflops,
    rate,
)
from ganbench.config import params  # noqa: E402
from ganbench.plumbing import machine  # noqa: E402
from ganbench.training import loop  # noqa: E402


def without_dropout(config):
    return dataclasses.replace(
        config, discriminator=dataclasses.replace(config.discriminator, dropout=0.0)
    )


def without_noise(config):
    discriminator = dataclasses.replace(config.discriminator, input_noise=0.0, hidden_noise=0.0)
    return dataclasses.replace(config, discriminator=discriminator)


# The diagnostic switches each measured family's random layers off with (not a family fact:
# a measurement's knob, like precision.py's short schedules).
RANDOM_LAYERS_OFF: dict[str, Callable] = {
    "dcgan": without_dropout,
    "acgan": without_dropout,
    "sgan": without_dropout,
    "sgan_fm": without_noise,
}
RANDOM_OPS = {
    "StatelessRandomNormalV2": "normal",
    "StatelessRandomUniformV2": "uniform",
    "StatelessRandomUniformFullIntV2": "uniform",
    "StatelessRandomUniformIntV2": "uniform",
    "StatelessTruncatedNormalV2": "normal",
}


def random_draws(graph: tf.Graph) -> dict[str, int]:
    """Random numbers one step draws, by kind, over the live ops of its traced graph."""
    draws: Counter[str] = Counter()
    for op in live_operations(graph):
        kind = RANDOM_OPS.get(op.type)
        if kind is not None:
            draws[kind] += op.outputs[0].shape.num_elements() or 0
    return dict(draws)


def gaussian_seconds(count: int, seconds: float) -> dict[str, float]:
    """Seconds to draw `count` standard normal numbers: TensorFlow's kernel, and Box-Muller
    from its uniform kernel (two normals from each pair of uniforms)."""
    seed = tf.constant([1, 2], tf.int32)
    half = (count + 1) // 2

    def kernel() -> tf.Tensor:
        return tf.reduce_sum(tf.random.stateless_normal((count,), seed))

    def box_muller() -> tf.Tensor:
        u = tf.random.stateless_uniform((2, half), seed)
        radius = tf.sqrt(-2.0 * tf.math.log1p(-u[0]))
        angle = 6.283185307179586 * u[1]
        return tf.reduce_sum(radius * tf.cos(angle)) + tf.reduce_sum(radius * tf.sin(angle))

    timed = {}
    for name, draw in (("tensorflow_normal", kernel), ("box_muller", box_muller)):
        compiled = tf.function(draw)
        timed[name] = 1.0 / rate(lambda compiled=compiled: compiled().numpy(), seconds)
    return timed


def measure(gan: str, config, data, seconds: float, rounds: int, peak: float) -> dict:
    """Every path, with and without random layers, timed round-robin `rounds` times; the
    best round of each (on a shared 2-core machine one cell can run 25 % slow)."""
    quiet = RANDOM_LAYERS_OFF[gan](config)
    paths, models = {}, {}
    for name, variant in (("", config), ("_no_random", quiet)):
        for xla in (False, True):
            path = f"{'xla' if xla else 'step'}{name}"
            models[path], _, paths[path] = ganbench_step(gan, variant, data, xla=xla)
    # one trace of the step as configured, for both counts
    graph = tf.function(models["step"].train_step).get_concrete_function().graph
    flops, draws = live_flops(graph) / 1e9, random_draws(graph)
    rates = {path: 0.0 for path in paths}
    for _ in range(rounds):
        for path, run_once in paths.items():
            rates[path] = max(rates[path], rate(run_once, seconds))
    configured = "xla" if config.schedule.xla else "step"
    best = max(rates["step"], rates["xla"])
    free = max(rates["step_no_random"], rates["xla_no_random"])
    normals = draws.get("normal", 0)
    draw = gaussian_seconds(normals, seconds) if normals else {}
    cheapest = min(draw.values(), default=0.0)
    ceiling = 1.0 / (1.0 / free + cheapest)
    return {
        "gan": gan,
        "gflop_per_iteration": flops,
        "configured_path": configured,
        "iterations_per_second": rates,
        "rounds": rounds,
        "percent_of_peak_best": 100 * flops * best / peak,
        "percent_of_peak_without_random": 100 * flops * free / peak,
        "random_draws_per_iteration": draws,
        "gaussian_draw_seconds": draw,
        "ceiling_iterations_per_second": ceiling,
        "ceiling_over_configured": ceiling / rates[configured],
        "ceiling_over_best": ceiling / best,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default="sgan,sgan_fm")
    parser.add_argument("--seconds", type=float, default=10.0, help="timing per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="round-robin timings per cell")
    parser.add_argument("--json", type=Path, help="also write the rows (and the machine) here")
    args = parser.parse_args()
    families = args.families.split(",")
    unknown = sorted(set(families) - set(RANDOM_LAYERS_OFF))
    if unknown:
        sys.exit(f"headroom: --families: no random-layer switch for {unknown}")

    config_all = params.load(REPO / "params.yaml")
    data = load_data(config_all.data.dataset)
    loop.set_determinism(0, xla=True)
    record = machine.describe()
    threads = machine.intra_op_threads()
    peak = matmul_peak_gflops()
    print(f"machine: {machine.one_line(record)}; {threads} intra-op thread(s)")
    print(
        f"float32 matmul peak on these threads: {peak:.1f} GFLOP/s; {args.seconds:.0f} s a "
        f"cell, best of {args.rounds} round-robin rounds"
    )
    print(
        f"{'gan':7} {'GFLOP/it':>8} {'step':>7} {'xla':>7} {'%peak':>6} {'no-rnd':>7} "
        f"{'%peak':>6} {'normals':>9} {'ms tf':>6} {'ms BM':>6} {'ceiling':>8} {'/conf':>6} "
        f"{'/best':>6}"
    )
    rows = []
    for gan in families:
        row = measure(gan, config_all.gans[gan], data, args.seconds, args.rounds, peak)
        rows.append(row)
        r, draw = row["iterations_per_second"], row["gaussian_draw_seconds"]
        print(
            f"{gan:7} {row['gflop_per_iteration']:8.3f} {r['step']:7.2f} {r['xla']:7.2f} "
            f"{row['percent_of_peak_best']:5.1f}% "
            f"{max(r['step_no_random'], r['xla_no_random']):7.2f} "
            f"{row['percent_of_peak_without_random']:5.1f}% "
            f"{row['random_draws_per_iteration'].get('normal', 0):9d} "
            f"{1e3 * draw.get('tensorflow_normal', 0):6.2f} {1e3 * draw.get('box_muller', 0):6.2f} "
            f"{row['ceiling_iterations_per_second']:8.2f} {row['ceiling_over_configured']:5.2f}x "
            f"{row['ceiling_over_best']:5.2f}x",
            flush=True,
        )
    if args.json:
        table = {
            "machine": record,
            "intra_op_threads": threads,
            "matmul_peak_gflops": peak,
            "seconds_per_cell": args.seconds,
            "rounds": args.rounds,
            "measured": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rows": rows,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
