"""Seeds at once or one after another: SGAN-FM iterations per second of one training process
on every core, against 2 or 3 processes at once sharing the cores (`repeats run --jobs N`),
side by side in one run. The first count given is the baseline of the last column.

    python benchmarks/seed_jobs.py [--gan sgan_fm] [--seconds 60] [--processes 1 2 3]

Each process builds the family from params.yaml with the pipeline's determinism settings
and times its compiled step after one warm-up step, as benchmarks/throughput.py does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def worker(gan: str, seconds: float) -> None:
    """Print this process's iterations per second (the parent reads the last line)."""
    from benchmarks.throughput import ganbench_step, load_data, rate
    from ganbench.config import params
    from ganbench.training import loop

    config_all = params.load(REPO / "params.yaml")
    config = config_all.gans[gan]
    loop.set_determinism(0, config.schedule.xla)
    data = load_data(config_all.data.dataset)
    run_once = ganbench_step(gan, config, data, config.schedule.xla)[2]
    print(rate(run_once, seconds), flush=True)


def measure(gan: str, seconds: float, processes: int, threads: int | None) -> list[float]:
    """Start `processes` workers at once; return each one's iterations per second."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    if threads:
        env["TF_NUM_INTRAOP_THREADS"] = str(threads)
    command = [sys.executable, __file__, "--worker", "--gan", gan, "--seconds", str(seconds)]
    running = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    rates = []
    for process in running:
        out, _ = process.communicate()
        if process.returncode != 0:
            raise SystemExit(f"worker failed with exit {process.returncode}")
        rates.append(float(out.strip().splitlines()[-1]))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gan", default="sgan_fm")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.gan, args.seconds)
        return
    cores = os.cpu_count() or 1
    print(f"{args.gan}, {cores} cores, {args.seconds:.0f} s per measurement")
    print(f"{'processes':>9} {'threads each':>12} {'it/s each':>22} {'it/s total':>10} {'vs 1':>6}")
    alone = None
    for count in args.processes:
        threads = max(1, cores // count)
        rates = measure(args.gan, args.seconds, count, threads if count > 1 else None)
        total = sum(rates)
        alone = alone or total
        each = " ".join(f"{r:.2f}" for r in rates)
        label = str(threads) if count > 1 else "default"
        print(f"{count:9d} {label:>12} {each:>22} {total:10.2f} {total / alone:6.2f}", flush=True)


if __name__ == "__main__":
    main()
