"""The label study under a profile (the paper profile: 6 label counts x 5 seeds, SGAN at its
seed's 8,000 iterations), run resumably outside DVC and summarised as metrics/study.json is.

    python -m ganbench.study.paper run --profile profiles/paper.yaml --gans sgan \\
        --include sgan_fm:100=results/sgan_fm-paper/summary.json \\
        --workdir runs/study-paper --results results/study-paper

Each cell runs as its own process through the study stage's script (cells are
independent, so a stopped run loses at most a checkpoint's work, and a finished cell is
not run again unless the params change); the summary, table, figure and provenance go to
--results. --include adds a method's per-seed accuracies from long runs made elsewhere on
the same subsets (SGAN-FM's paper runs: 100 balanced labels, the labelled subset of seed s).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ganbench import atomic, layout, machine, params, profiles, tracking
from ganbench.cli import run_stage
from ganbench.errors import RunFailed
from ganbench.study import methods

REPO = Path(__file__).resolve().parents[3]


def study_tree(params_path: Path, profile_path: Path | None, gans: Sequence[str]) -> dict:
    """params.yaml with the profile applied and the study's GANs narrowed to `gans`."""
    tree = params.read_mapping(params_path)
    if profile_path:
        tree = profiles.apply(tree, params.read_mapping(profile_path))
    iterations = tree["study"]["iterations"]
    missing = [g for g in gans if g not in iterations]
    if missing:
        raise params.ParamsError("--gans", [f"{missing} not in study.iterations"])
    tree["study"]["iterations"] = {g: iterations[g] for g in gans}
    return tree


def parse_include(spec: str) -> tuple[str, int, Path]:
    """`method:count=summary.json` -> (method, label count, path)."""
    try:
        head, path = spec.split("=", 1)
        method, count = head.split(":")
        return method, int(count), Path(path)
    except ValueError as err:
        raise params.ParamsError(
            "--include", [f"expected METHOD:COUNT=FILE, got {spec!r}"]
        ) from err


def included(specs: Sequence[str]) -> dict[str, dict[tuple[int, int], float]]:
    """Per method, {(label count, seed): accuracy} from repeats summaries."""
    extra: dict[str, dict[tuple[int, int], float]] = {}
    for spec in specs:
        method, count, path = parse_include(spec)
        summary = json.loads(path.read_text())
        extra.setdefault(method, {}).update(
            {(count, int(seed)): value for seed, value in summary["per_seed"].items()}
        )
    return extra


def run_cells(workdir: Path, tree: dict, params_path: Path, prepared: Path) -> list[str]:
    """Every cell not yet finished, one process after another; SIGINT/SIGTERM reach the
    running cell, which checkpoints. Returns the cells run."""
    cells_dir, checkpoints = workdir / "cells", workdir / "checkpoints"
    todo = [
        (count, seed)
        for count in tree["study"]["label_counts"]
        for seed in tree["study"]["seeds"]
        if not methods.cell_path(cells_dir, count, seed).is_file()
    ]
    current: list[subprocess.Popen] = []
    stopped: list[int] = []

    def forward(signum: int, frame: object) -> None:
        stopped.append(signum)
        for process in current:
            process.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    done = []
    try:
        for count, seed in todo:
            if stopped:
                break
            command = [sys.executable, str(REPO / "pipeline" / "study_cell.py"), str(count)]
            command += [str(seed), "--params", str(params_path), "--cells", str(cells_dir)]
            command += ["--checkpoints", str(checkpoints), "--prepared", str(prepared)]
            with open(workdir / "cells.log", "a") as log:
                process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
                current[:] = [process]
                code = process.wait()
            if code != 0 and not stopped:
                raise RunFailed(f"cell {count}-{seed} failed (exit {code}): see {log.name}")
            if code == 0:
                done.append(f"{count}-{seed}")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if stopped:
        raise KeyboardInterrupt(f"signal {stopped[0]}; cells resume from their checkpoints")
    return done


def provenance(workdir: Path, tree_text: str, started: float) -> dict[str, Any]:
    cells = [json.loads(p.read_text()) for p in sorted((workdir / "cells").glob("*.json"))]
    return {
        "git_commit": tracking.git_commit(),
        "params_sha256": hashlib.sha256(tree_text.encode()).hexdigest(),
        "machine": machine.describe(),
        "cells": len(cells),
        "cell_training_seconds": round(sum(sum(c["wall_seconds"].values()) for c in cells), 1),
        "summary_seconds": round(time.perf_counter() - started, 1),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    tree = study_tree(args.params, args.profile, args.gans)
    params.parse(tree, f"{args.params} + {args.profile}").study()
    args.workdir.mkdir(parents=True, exist_ok=True)
    params_path = args.workdir / "params.yaml"
    text = yaml.safe_dump(tree, sort_keys=False)
    if params_path.is_file() and params_path.read_text() != text:
        for stale in (args.workdir / "cells").glob("*.json"):
            stale.unlink()  # other params: every cell again (checkpoints never resume)
    atomic.write_bytes(params_path, text.encode())
    tracking.connect()
    run_cells(args.workdir, tree, params_path, args.prepared)
    ceiling = args.workdir / "ceiling.json"
    if not ceiling.is_file():
        command = [sys.executable, str(REPO / "pipeline" / "study_ceiling.py")]
        command += ["--params", str(params_path), "--result", str(ceiling)]
        command += ["--prepared", str(args.prepared)]
        subprocess.run(command, check=True, env=dict(os.environ))
    from ganbench.study import summary

    paths = summary.SummaryPaths(
        cells=args.workdir / "cells",
        ceiling=ceiling,
        metrics=args.results / "summary.json",
        table_csv=args.results / "table.csv",
        figure=args.results / "study.png",
    )
    result = summary.run(str(params_path), paths, included(args.include))
    record = {**result, "provenance": provenance(args.workdir, text, started)}
    atomic.write_json(paths.metrics, record)
    return record


def main(argv: Sequence[str] | None = None) -> None:
    top = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run", help="run the unfinished cells, then summarise")
    go.add_argument("--profile", type=Path, help="a partial params.yaml, e.g. profiles/paper.yaml")
    go.add_argument("--params", type=Path, default=Path("params.yaml"))
    go.add_argument("--gans", nargs="+", required=True, help="GANs of study.iterations to train")
    go.add_argument("--include", nargs="*", default=[], help="METHOD:COUNT=summary.json")
    go.add_argument("--prepared", type=Path, default=layout.path("prepared"))
    go.add_argument("--workdir", type=Path, default=Path("runs/study-paper"))
    go.add_argument("--results", type=Path, default=Path("results/study-paper"))
    args = top.parse_args(argv)

    def go_run() -> None:
        record = run(args)
        for count, entry in record["by_label_count"].items():
            shown = ", ".join(
                f"{m} {s['mean']:.4f} (n {s['n']})" for m, s in entry["methods"].items()
            )
            print(f"study-paper {count} labels: {shown}")

    run_stage("study-paper", go_run)


if __name__ == "__main__":
    main()
