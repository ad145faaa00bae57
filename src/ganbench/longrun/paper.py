"""The paper profile as one job graph on the executor: every unfinished seed of every
family and every study cell, run at once by their resource needs, longest first.

    ganbench paper run                                   # everything, Ray on this machine
    ganbench paper run --families gan1d --seeds 0 1      # a part of it
    ganbench paper run --address ray://head:10001        # the same graph on a cluster

What the graph holds is profiles/graphs/paper.yaml: each family's training seeds and the figure
its summary leads with, and the study. A family's seeds train in <workdir>/<gan>/seed-<s>/
as `repeats run` trains them (checkpoints every few minutes; a finished seed is kept), are
evaluated as evaluate@<gan> does, and when the last of them finishes the family is exported
to <results-root>/<gan>-paper/. Study cells land in <results-root>/study-paper/ one by one.
Seeds and cells committed under the same params are taken from there instead of trained
again; unfinished seeds handed over in handover/<gan>-paper/ resume from there. Stop it with
Ctrl-C or SIGTERM: every running task checkpoints; the same command resumes all of them.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ganbench.config import params, profiles
from ganbench.config.graph_spec import GRAPH_SPEC, STUDY, GraphSpec, read_spec
from ganbench.longrun import executor, repeats, study_paper
from ganbench.longrun.summary import describe
from ganbench.plumbing import layout
from ganbench.plumbing.cli import run_stage


@dataclass(frozen=True)
class GraphOptions:
    families: tuple[str, ...] | None = None  # None: the spec's default graph
    seeds: tuple[int, ...] | None = None  # None: each family's seeds in the spec
    spec: Path = GRAPH_SPEC
    params: Path = Path("params.yaml")
    profile: Path = profiles.PAPER
    workdir: Path = Path("runs/paper")
    results_root: Path = Path("results")
    handover_root: Path = Path("handover")
    prepared: Path | None = None
    reference: Path = Path("models/reference/classifier.keras")
    placement: executor.Placement = field(default_factory=executor.Placement)


def chosen(spec: GraphSpec, names: Sequence[str] | None) -> list[str]:
    if names is None:
        return spec.default_names()
    known = [*spec.families, STUDY]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise params.ParamsError("--families", [f"{unknown} not in {known}"])
    return list(dict.fromkeys(names))


def prepare_families(spec: GraphSpec, names: list[str], options: GraphOptions, prepared: Path):
    """Each chosen family's seeds made ready (folders, committed seeds, handovers)."""
    runs = {}
    for gan in (name for name in names if name != STUDY):
        entry = spec.families[gan]
        handover = options.handover_root / f"{gan}-paper"
        runs[gan] = repeats.prepare(
            gan,
            list(options.seeds or entry.seeds),
            options.params,
            options.profile,
            options.workdir / gan,
            prepared,
            entry.metric,
            evaluate=True,
            reference=options.reference,
            results=options.results_root / f"{gan}-paper",
            handed_over=handover if handover.is_dir() else None,
        )
    return runs


def run(options: GraphOptions) -> dict[str, Any]:
    """Run the graph; returns each family's summary and the study's, by name."""
    spec = read_spec(options.spec)
    names = chosen(spec, options.families)
    prepared = options.prepared or layout.path("prepared")
    families = prepare_families(spec, names, options, prepared)
    study = None
    if STUDY in names:
        settings = study_paper.StudySettings(
            options.params,
            options.profile,
            spec.study_gans,
            spec.study_include,
            prepared,
            options.workdir / STUDY,
            options.results_root / f"{STUDY}-paper",
        )
        study = study_paper.prepare(settings)
    tasks_of = {
        gan: repeats.seed_tasks(family.plan, repeats.seconds_per_step(family.results))
        for gan, family in families.items()
    }
    owner = {task.name: gan for gan, tasks in tasks_of.items() for task in tasks}
    waiting = {gan: {task.name for task in tasks} for gan, tasks in tasks_of.items()}
    summaries: dict[str, Any] = {}

    def finish(gan: str) -> None:
        summaries[gan] = repeats.finish(families[gan])
        print(f"paper: {describe(summaries[gan])}", flush=True)

    for gan in [gan for gan, names_left in waiting.items() if not names_left]:
        finish(gan)  # nothing to train: exported (or logged) now

    def on_done(task: executor.Task) -> None:
        if task.name not in owner:
            study.done(task)
            return
        gan = owner[task.name]
        waiting[gan].discard(task.name)
        if not waiting[gan]:
            finish(gan)

    tasks = [task for family_tasks in tasks_of.values() for task in family_tasks]
    tasks += study.tasks() if study else []
    print(f"paper: {len(tasks)} tasks: " + (", ".join(t.name for t in tasks) or "none"))
    executor.run(tasks, options.placement, options.workdir, on_done=on_done)
    if study:
        summaries[STUDY] = study.summary()
    return summaries


def main(argv: Sequence[str] | None = None) -> None:
    top = argparse.ArgumentParser(prog="ganbench paper", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run", help="run every unfinished seed and study cell")
    go.add_argument(
        "--families", nargs="+", help=f"families of the spec, and/or '{STUDY}' (default: all)"
    )
    go.add_argument("--seeds", type=int, nargs="+", help="every chosen family's seeds")
    go.add_argument("--spec", type=Path, default=GRAPH_SPEC)
    go.add_argument("--params", type=Path, default=Path("params.yaml"))
    go.add_argument("--profile", type=Path, default=profiles.PAPER)
    go.add_argument("--workdir", type=Path, default=Path("runs/paper"))
    go.add_argument("--results-root", type=Path, default=Path("results"))
    go.add_argument("--handover-root", type=Path, default=Path("handover"))
    go.add_argument("--prepared", type=Path)
    executor.executor_options(go)
    args = top.parse_args(argv)

    def go_run() -> None:
        threads = args.threads_per_task or executor.threads_for(os.cpu_count() or 1)
        placement = executor.placement_from(args, threads)
        options = GraphOptions(
            tuple(args.families) if args.families else None,
            tuple(args.seeds) if args.seeds else None,
            args.spec,
            args.params,
            args.profile,
            args.workdir,
            args.results_root,
            args.handover_root,
            args.prepared,
            placement=placement,
        )
        run(options)

    run_stage("paper", go_run)


if __name__ == "__main__":
    main()
