"""The label study under a profile (the paper profile: 6 label counts x 5 seeds, SGAN at its
seed's 8,000 iterations), run resumably outside DVC and summarised as metrics/study.json is.

    python -m ganbench.longrun.study_paper run --profile profiles/paper.yaml --gans sgan \\
        --include sgan_fm:100=results/sgan_fm-paper/summary.json \\
        --workdir runs/study-paper --results results/study-paper [--jobs 2]

Each cell runs as its own process through the study stage's script (cells are
independent, so a stopped run loses at most a checkpoint's work, and a finished cell is
not run again unless the params change); `--jobs` runs that many at once, each on its
share of the cores. Cells go seed by seed (every label count of seed 0, then of seed 1),
so an unfinished study already holds whole curves. Every finished cell is copied at once
into --results/cells/ and the summary, table and figure there are rewritten over the cells
so far (`complete` says whether all are in): what is committed survives the machine, and a
run on a new machine starts from the committed cells when its params are the same.
--include adds a method's per-seed accuracies from long runs made elsewhere on the same
subsets (SGAN-FM's paper runs: 100 balanced labels, the labelled subset of seed s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ganbench.config import params, profiles
from ganbench.longrun import committed, executor, provenance
from ganbench.models import registry
from ganbench.plumbing import atomic, layout, machine, tracking
from ganbench.plumbing.cli import run_stage
from ganbench.study import methods

# What a cell and the ceiling read of params.yaml besides the study's GANs' sections: the
# study's params hold only these, so that a change elsewhere (another family's section)
# neither re-runs finished cells nor disowns the committed ones.
STUDY_SECTIONS = ("data", "compute", "evaluate", "study")


def study_tree(params_path: Path, profile_path: Path | None, gans: Sequence[str]) -> dict:
    """params.yaml with the profile applied, the study's GANs narrowed to `gans`, and only
    the sections its cells read."""
    tree = params.read_mapping(params_path)
    if profile_path:
        tree = profiles.apply(tree, params.read_mapping(profile_path))
    iterations = tree["study"]["iterations"]
    missing = [g for g in gans if g not in iterations]
    if missing:
        raise params.ParamsError("--gans", [f"{missing} not in study.iterations"])
    tree["study"]["iterations"] = {g: iterations[g] for g in gans}
    baseline = registry.with_supervised_baseline().name  # the ceiling's network
    kept = (*STUDY_SECTIONS, *gans, baseline)
    return provenance.without_stage_only({name: tree[name] for name in tree if name in kept})


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


def pending_cells(tree: dict, cells_dir: Path) -> list[tuple[int, int]]:
    """(label count, seed) of every unfinished cell, seed by seed: each seed's whole curve
    before the next seed's."""
    study = tree["study"]
    return [
        (count, seed)
        for seed in study["seeds"]
        for count in study["label_counts"]
        if not methods.cell_path(cells_dir, count, seed).is_file()
    ]


def cell_command(workdir: Path, params_path: Path, prepared: Path, count: int, seed: int):
    command = [sys.executable, "-m", "ganbench.stages", "study", str(count)]
    command += [str(seed), "--params", str(params_path), "--cells", str(workdir / "cells")]
    command += ["--checkpoints", str(workdir / "checkpoints"), "--prepared", str(prepared)]
    return command


CELL_PREFIX = "study "  # a cell's task is named `study <labels>-<seed>`
CEILING_TASK = "study ceiling"


def seconds_per_iteration(results: Path) -> float | None:
    """CPU-seconds per training iteration of the cells committed under `results`."""
    cells = [json.loads(p.read_text()) for p in (results / "cells").glob("*.json")]
    seconds = sum(sum(cell["wall_seconds"].values()) for cell in cells)
    iterations = sum(sum(cell["iterations"].values()) for cell in cells)
    return seconds / iterations if seconds and iterations else None


def cell_tasks(
    workdir: Path, tree: dict, params_path: Path, prepared: Path, per_iteration: float | None
) -> list[executor.Task]:
    """Every unfinished cell as a task of the executor, its cost the iterations it trains
    (times `per_iteration` seconds when known)."""
    log = workdir / "cells.log"  # shared by every cell process
    iterations = tree["study"]["iterations"]
    return [
        executor.Task(
            f"{CELL_PREFIX}{count}-{seed}",
            tuple(cell_command(workdir, params_path, prepared, count, seed)),
            log,
            sum(int(per_count.get(str(count), 0)) for per_count in iterations.values())
            * (per_iteration or 1.0),
        )
        for count, seed in pending_cells(tree, workdir / "cells")
    ]


def cell_name(task: executor.Task) -> str:
    return task.name.removeprefix(CELL_PREFIX)


def study_provenance(workdir: Path, tree_text: str, started: float) -> dict[str, Any]:
    cells = [json.loads(p.read_text()) for p in sorted((workdir / "cells").glob("*.json"))]
    return {
        "git_commit": tracking.git_commit(),
        "params_sha256": provenance.params_hash(tree_text),
        "machine": machine.describe(),
        "cells": len(cells),
        "cell_machines": cell_machines(cells),
        "cell_training_seconds": round(sum(sum(c["wall_seconds"].values()) for c in cells), 1),
        "summary_seconds": round(time.perf_counter() - started, 1),
    }


def stamp_machine(cell: Path) -> None:
    """Record the machine beside a finished cell: a paper study's cells are trained over
    several sessions, and sessions do not always get the same kind of machine."""
    record = json.loads(cell.read_text())
    record.setdefault("machine", machine.describe())
    atomic.write_json(cell, record)


def cell_machines(cells: list[dict[str, Any]]) -> dict[str, int]:
    """How many cells each machine trained, by `machine.one_line`; cells finished before
    cells were stamped count under 'not recorded'."""
    counts: dict[str, int] = {}
    for cell in cells:
        name = machine.one_line(cell["machine"]) if "machine" in cell else "not recorded"
        counts[name] = counts.get(name, 0) + 1
    return counts


@dataclass(frozen=True)
class StudySettings:
    """What a study run reads and where it writes (the command's options)."""

    params: Path
    profile: Path | None
    gans: tuple[str, ...]
    include: tuple[str, ...]
    prepared: Path
    workdir: Path
    results: Path


@dataclass
class StudyRun:
    """A study made ready to run: its params written, committed cells put back. `tasks()`
    are the unfinished cells (and the ceiling, when missing); `done(task)` exports each as it
    finishes; `summary()` is the summary over the cells so far."""

    settings: StudySettings
    tree: dict
    params_path: Path
    text: str
    started: float

    @property
    def ceiling(self) -> Path:
        return self.settings.workdir / "ceiling.json"

    def tasks(self) -> list[executor.Task]:
        workdir, prepared = self.settings.workdir, self.settings.prepared
        per_iteration = seconds_per_iteration(self.settings.results)
        tasks = cell_tasks(workdir, self.tree, self.params_path, prepared, per_iteration)
        if not self.ceiling.is_file():
            command = [sys.executable, "-m", "ganbench.stages", "study_ceiling"]
            command += ["--params", str(self.params_path), "--result", str(self.ceiling)]
            command += ["--prepared", str(prepared)]
            # first: every partial summary draws it
            cost = max([task.cost for task in tasks], default=0.0) + 1
            ceiling = executor.Task(CEILING_TASK, tuple(command), workdir / "ceiling.log", cost)
            tasks.insert(0, ceiling)
        return tasks

    def done(self, task: executor.Task) -> None:
        """A cell (or the ceiling) finished: stamp it, rewrite the summary so far."""
        if task.name != CEILING_TASK:
            stamp_machine(self.settings.workdir / "cells" / f"{cell_name(task)}.json")
        if not self.ceiling.is_file() or not any((self.settings.workdir / "cells").glob("*.json")):
            return  # the summary waits for the ceiling and a first cell
        record = self.summary()
        print(f"study-paper: {cell_name(task)} done, {record['cells_finished']} of "
              f"{record['cells_expected']} cells", flush=True)  # fmt: skip

    def summary(self) -> dict[str, Any]:
        """The summary, table and figure over the finished cells, and each cell's result,
        in the results folder; `complete` says whether every cell is in."""
        from ganbench.stages import study_summary as summary_stage

        workdir, results = self.settings.workdir, self.settings.results
        expected = len(self.tree["study"]["label_counts"]) * len(self.tree["study"]["seeds"])
        finished = sorted((workdir / "cells").glob("*.json"))
        exported = results / "cells"
        exported.mkdir(parents=True, exist_ok=True)
        for cell in finished:
            atomic.write_bytes(exported / cell.name, cell.read_bytes())
        paths = summary_stage.SummaryPaths(
            cells=workdir / "cells",
            ceiling=self.ceiling,
            metrics=results / "summary.json",
            table_csv=results / "table.csv",
            figure=results / "study.png",
        )
        extra = included(self.settings.include)
        result = summary_stage.run(str(self.params_path), paths, extra, partial=True)
        record = {
            **result,
            "complete": len(finished) == expected,
            "cells_finished": len(finished),
            "cells_expected": expected,
            "provenance": study_provenance(workdir, self.text, self.started),
        }
        atomic.write_json(paths.metrics, record)
        return record


def prepare(settings: StudySettings) -> StudyRun:
    """Check the study's params, write them to the workdir (other params than last time:
    every cell again), and put back the cells committed under the same params."""
    started = time.perf_counter()
    tree = study_tree(settings.params, settings.profile, settings.gans)
    params.parse(tree, f"{settings.params} + {settings.profile}").study()
    settings.workdir.mkdir(parents=True, exist_ok=True)
    params_path = settings.workdir / "params.yaml"
    text = yaml.safe_dump(tree, sort_keys=False)
    if params_path.is_file() and params_path.read_text() != text:
        for stale in (settings.workdir / "cells").glob("*.json"):
            stale.unlink()  # other params: every cell again (checkpoints never resume)
    atomic.write_bytes(params_path, text.encode())
    committed.restore_cells(settings.workdir, settings.results, text)
    return StudyRun(settings, tree, params_path, text, started)


def run(settings: StudySettings, placement: executor.Placement) -> dict[str, Any]:
    """The study alone on the executor (the paper graph runs it beside the families)."""
    study = prepare(settings)
    executor.run(study.tasks(), placement, settings.workdir, on_done=study.done)
    return study.summary()


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
    go.add_argument(
        "--jobs", type=int, default=1, help="cells at once on this machine (cores split)"
    )
    executor.executor_options(go)
    args = top.parse_args(argv)

    def go_run() -> None:
        settings = StudySettings(
            args.params, args.profile, tuple(args.gans), tuple(args.include), args.prepared,
            args.workdir, args.results,
        )  # fmt: skip
        threads = args.threads_per_task or executor.threads_for(args.jobs)
        record = run(settings, executor.placement_from(args, threads))
        for count, entry in record["by_label_count"].items():
            shown = ", ".join(
                f"{m} {s['mean']:.4f} (n {s['n']})" for m, s in entry["methods"].items()
            )
            print(f"study-paper {count} labels: {shown}")

    run_stage("study-paper", go_run)


if __name__ == "__main__":
    main()
