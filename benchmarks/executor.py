"""What the Ray executor costs, and how it should place tasks on this machine's cores.

    python benchmarks/executor.py [--only overhead|packing] [--repeats 3] [--out FILE]

Two measurements, each side by side in one run:

1. **Overhead.** The same two short seeds (the 1-D GAN's seeds 0 and 1 under
   profiles/paper.yaml, one thread each, both at once) run as plain processes started by
   this script, and as tasks of `executor.run` (Ray embedded, as `ganbench paper run`
   starts it), alternated --repeats times. Ratio: Ray's wall time over the direct one,
   per pair and the median. Ray's own processes (GCS,
   raylet, idle and task workers, not the training processes they start) are sampled for
   their resident memory every half second; the peak is reported.
2. **Packing.** A short mixed graph (one seed each of the 1-D GAN, SGAN, ACGAN and WGAN on
   short schedules) on the executor: one-thread tasks packed on every core, against one
   task at a time with every thread. Ratio: tasks per hour packed over one at a time.

Run it on an otherwise idle machine (pause any long run: `kill -STOP`). The training runs
go to a temporary folder and a temporary MLflow store.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

# the packing graph's short schedules: each a minute or two of one core here
PACKING_SCHEDULES = {
    "gan1d": {"iterations": 20000},
    "sgan": {"iterations": 600},
    "acgan": {"iterations": 150},
    "wgan": {"iterations": 80},
}


def ray_memory(stop: threading.Event, peak: list[float]) -> None:
    """Peak resident memory (MiB) of this measurement's Ray processes: every process whose
    command line names Ray, but not the training processes its workers start, nor any
    process that was there before (another Ray on this machine, e.g. a paused long run's)."""
    import psutil

    before = set(psutil.pids())
    while not stop.is_set():
        total = 0
        for process in psutil.process_iter(["pid", "cmdline", "memory_info"]):
            line = " ".join(process.info["cmdline"] or [])
            if (
                "ray" in line
                and process.info["pid"] not in before
                and "ganbench.longrun.repeats" not in line
                and process.info["memory_info"]
            ):
                total += process.info["memory_info"].rss
        peak[0] = max(peak[0], total / 2**20)
        stop.wait(0.5)


def seed_tasks(root: Path, profile: Path, families: dict[str, list[int]]) -> list:
    """Fresh seed folders under `root` and their tasks, as `ganbench paper run` makes them."""
    from ganbench.longrun import repeats

    tasks = []
    for gan, seeds in families.items():
        family = repeats.prepare(
            gan,
            seeds,
            REPO / "params.yaml",
            profile,
            root / gan,
            REPO / "data" / "prepared",
            metric="w1" if gan == "gan1d" else "test_accuracy",
        )
        tasks += repeats.seed_tasks(family.plan)
    return tasks


def direct(tasks: list, threads: int) -> float:
    """Every task's process started at once by this script; wall seconds until all end."""
    from ganbench.longrun.executor import last_line
    from ganbench.plumbing import tracking

    tracking.connect()  # the store made once, as executor.run makes it
    env = dict(os.environ, TF_NUM_INTRAOP_THREADS=str(threads))
    started = time.perf_counter()
    running = []
    for task in tasks:
        with open(task.log, "a") as log:
            running.append(subprocess.Popen(task.command, stdout=log, stderr=log, env=env))
    for task, process in zip(tasks, running, strict=True):
        if process.wait():
            raise SystemExit(f"{task.name} failed: {last_line(task.log)}")
    return time.perf_counter() - started


def on_ray(tasks: list, threads: int, workdir: Path) -> float:
    from ganbench.longrun import executor

    started = time.perf_counter()
    executor.run(tasks, executor.Placement(threads=threads), workdir)
    return time.perf_counter() - started


def ray_start_stop() -> float:
    """Seconds to start the embedded Ray and shut it down, with no task: the fixed part of
    the overhead, paid once per command however long its tasks run."""
    import ray

    from ganbench.longrun import executor

    started = time.perf_counter()
    executor.start_ray(None)
    ray.shutdown()
    return time.perf_counter() - started


def overhead(root: Path, repeats: int) -> dict:
    """Direct and Ray runs of the same two seeds, alternated `repeats` times (a single pair
    moved by 10 % between runs here): each pair's ratio, and the median."""
    import statistics

    profile = REPO / "profiles" / "paper.yaml"
    seeds = {"gan1d": [0, 1]}
    pairs, peak = [], [0.0]
    for turn in range(repeats):
        plain = direct(seed_tasks(root / f"direct-{turn}", profile, seeds), threads=1)
        stop = threading.Event()
        sampler = threading.Thread(target=ray_memory, args=(stop, peak))
        sampler.start()
        try:
            tasks = seed_tasks(root / f"ray-{turn}", profile, seeds)
            ray_seconds = on_ray(tasks, 1, root / f"ray-{turn}")
        finally:
            stop.set()
            sampler.join()
        start_stop = ray_start_stop()
        pairs.append(
            {
                "direct_seconds": round(plain, 1),
                "ray_seconds": round(ray_seconds, 1),
                "ray_start_stop_seconds": round(start_stop, 1),
                "ratio_ray_over_direct": round(ray_seconds / plain, 3),
                "ratio_without_start_stop": round((ray_seconds - start_stop) / plain, 3),
            }
        )
        print(json.dumps(pairs[-1]), flush=True)
    return {
        "tasks": "gan1d seeds 0 and 1, profiles/paper.yaml (40,000 steps), 1 thread each, at once",
        "pairs": pairs,
        **{
            f"median_{key}": statistics.median(p[key] for p in pairs)
            for key in (
                "ratio_ray_over_direct",
                "ratio_without_start_stop",
                "ray_start_stop_seconds",
            )
        },
        "ray_peak_rss_mib": round(peak[0], 1),
    }


def packing(root: Path) -> dict:
    profile = root / "short.yaml"
    profile.write_text(
        yaml.safe_dump(
            {
                gan: {"schedule": {**schedule, "evaluate_every": 0, "checkpoint_every": 50}}
                for gan, schedule in PACKING_SCHEDULES.items()
            }
        )
    )
    families = {gan: [0] for gan in PACKING_SCHEDULES}
    cores = os.cpu_count() or 1
    packed = on_ray(seed_tasks(root / "packed", profile, families), 1, root / "packed")
    alone = on_ray(seed_tasks(root / "alone", profile, families), cores, root / "alone")
    return {
        "tasks": {
            gan: f"seed 0, {s['iterations']} iterations" for gan, s in PACKING_SCHEDULES.items()
        },
        "packed": f"1 thread a task, {cores} at once",
        "packed_seconds": round(packed, 1),
        "one_at_a_time": f"{cores} threads a task, one at once",
        "one_at_a_time_seconds": round(alone, 1),
        "throughput_ratio_packed_over_one_at_a_time": round(alone / packed, 3),
    }


def main() -> None:
    from ganbench.plumbing import machine

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--only", choices=("overhead", "packing"))
    parser.add_argument("--repeats", type=int, default=3, help="direct/Ray pairs (overhead)")
    args = parser.parse_args()
    os.environ.setdefault("RAY_worker_niceness", "0")  # as the direct processes run
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{root / 'mlflow.db'}"
        record: dict = {"machine": machine.describe(), "cores": os.cpu_count()}
        if args.only in (None, "overhead"):
            record["overhead"] = overhead(root, args.repeats)
            print(json.dumps(record["overhead"]), flush=True)
        if args.only in (None, "packing"):
            record["packing"] = packing(root)
            print(json.dumps(record["packing"]), flush=True)
    out = args.out or REPO / "benchmarks" / "results" / (
        f"executor-{record['machine']['cpu_kind']}-"
        f"{record['machine']['cpu_model'].split('(')[0].strip().lower().replace(' ', '-')}.json"
    )
    out.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
