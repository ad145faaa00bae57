"""Train one family over several seeds under a profile and summarise one of its metrics.

    python -m ganbench.longrun.repeats run sgan_fm --profile profiles/paper.yaml \
        --seeds 0 1 2 --jobs 3
    python -m ganbench.longrun.repeats run dcgan --profile profiles/paper.yaml --seeds 0 \
        --evaluate --metric fid --results results/dcgan-paper

A headline figure such as SGAN-FM's accuracy at 100 labels is a mean over seeds, and under
the paper profile each seed is hours of CPU. So every seed trains through the ordinary train
stage in a folder of its own (runs/<gan>-<profile>/seed-<s>/): it checkpoints and resumes
as `dvc repro` does, logs to the project's MLflow store, and a finished seed is not trained
again. The seed sets the training stream and, for the semi-supervised families, the
labelled subset (as the study's cells do). summary.json holds the metric per seed, its mean
and its Student-t confidence interval. With --evaluate each finished seed is also scored as
`evaluate@<gan>` scores it (metrics/<gan>.json in its folder), the summary gains every
evaluation metric's per-seed values and interval, and --results copies what a result needs
to stand on its own (summary, per-seed metrics, curves, final grids, provenance).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ganbench.config import params
from ganbench.longrun import committed, executor, export, handover
from ganbench.longrun.executor import executor_options
from ganbench.longrun.seeds import (
    Plan,
    RepeatError,
    checkpoint_path,
    finished,
    seed_dir,
    seed_folder,
    seed_params,
    write_seed_params,
)
from ganbench.longrun.summary import describe, schedule_steps, summarise
from ganbench.plumbing import atomic, tracking
from ganbench.plumbing.cli import EXIT_USER_ERROR, run_stage
from ganbench.plumbing.errors import InputError, RunFailed
from ganbench.reporting import console

LOG_NAME = "train.log"
# Noise seeds of the sample draws each long-run generator is scored on: the spread over them
# is the resampling noise, set beside the spread over training seeds in the report.
SAMPLE_DRAWS = (0, 1, 2, 3, 4)


def restore_handover(plan: Plan, texts: dict[int, str], folder: Path, seeds: list[int]) -> None:
    """Put each seed's handed-over checkpoint in place where it is further on than the one
    here (a new machine, runs/ gone)."""
    for seed in seeds:
        checkpoint = checkpoint_path(seed_dir(plan, seed), plan.gan)
        step = handover.restore(checkpoint, texts[seed], folder, seed)
        if step:
            print(f"repeats: seed {seed} resumes at step {step} from its handover in {folder}")


def hand_over(gan: str, workdir: Path, seeds: Sequence[int], folder: Path) -> list[int]:
    """Hand over every given seed's checkpoint from its folder under `workdir` (seeds with no
    checkpoint, finished ones included, are skipped); returns the seeds handed over."""
    saved = []
    for seed in seeds:
        folder_here = seed_folder(workdir, seed)
        params_file = folder_here / "params.yaml"
        if not params_file.is_file():
            raise InputError(f"{params_file}: no such seed folder to hand over")
        checkpoint = checkpoint_path(folder_here, gan)
        manifest = handover.save(checkpoint, params_file.read_text(), folder, seed)
        if manifest is not None:
            saved.append(seed)
            print(
                f"repeats: seed {seed} handed over at step {manifest['step']} to {folder} "
                f"({len(manifest['parts'])} parts, {manifest['bytes'] / 2**20:.1f} MiB)"
            )
    return saved


def seconds_per_step(results: Path | None) -> float | None:
    """A family's CPU-seconds per step on the machines that trained its committed seeds
    (finished or snapshot), or None when nothing is committed."""
    summary = committed.committed_summary(results) if results is not None else None
    seeds = (summary or {}).get("provenance", {}).get("seeds", {}).values()
    seconds = sum(record.get("training_seconds") or 0 for record in seeds)
    steps = sum(record.get("steps") or 0 for record in seeds)
    return seconds / steps if seconds and steps else None


def seed_tasks(plan: Plan, per_step: float | None = None) -> list[executor.Task]:
    """Each unfinished seed as a task of the executor: its own process (TensorFlow's
    determinism settings are per process), its cost the steps left past its checkpoint
    times `per_step` seconds when known, resumed when it has a checkpoint."""
    tasks = []
    for seed in plan.seeds:
        if finished(plan, seed):
            continue
        folder = seed_dir(plan, seed)
        command = [sys.executable, "-m", "ganbench.longrun.repeats", "train-seed", plan.gan]
        command += [str(folder), "--prepared", str(plan.prepared)]
        command += ["--reference", str(plan.reference)] + (["--evaluate"] if plan.evaluate else [])
        name = f"{plan.gan} seed {seed}"
        reached = handover.checkpoint_step(checkpoint_path(folder, plan.gan))
        cost = max(schedule_steps(plan) - reached, 1) * (per_step or 1.0)
        tasks.append(executor.Task(name, tuple(command), folder / LOG_NAME, cost, reached > 0))
    return tasks


def train_seeds(plan: Plan, placement: executor.Placement) -> None:
    """Train the unfinished seeds on the executor. SIGINT and SIGTERM reach the running
    seeds, which checkpoint and exit; the run then ends as interrupted."""
    try:
        executor.run(seed_tasks(plan), placement, plan.workdir)
    except RunFailed as err:
        raise RepeatError(str(err)) from err


def train_one_seed(
    gan: str, folder: Path, prepared: Path, reference: Path, evaluate: bool = False
) -> None:
    """Train the seed in `folder` unless it finished training already; then, if asked,
    score it as the evaluate stage does."""
    from ganbench.stages import evaluate as evaluate_stage
    from ganbench.stages import train as train_stage

    params_path = str(folder / "params.yaml")
    train_metrics = folder / "metrics" / "train"
    if not (train_metrics / f"{gan}.json").is_file():
        paths = train_stage.StagePaths.under(folder, prepared, reference)
        # registered as the seed's own version: <workdir>-seed-<s>, not the default profile's
        alias = f"{folder.parent.name}-{folder.name}"
        metrics = train_stage.run(gan, params_path, paths, register_as=alias)
        print(console.train_line(gan, metrics, folder.name))
    if evaluate:
        paths = evaluate_stage.EvaluatePaths(
            prepared=prepared,
            models=folder / "models",
            train_metrics=train_metrics,
            metrics=folder / "metrics",
            reference=reference,
        )
        scored = evaluate_stage.run(gan, str(evaluation_params(folder)), paths)
        print(console.evaluate_line(gan, scored, f"{folder.name} evaluated"))


def evaluation_params(folder: Path) -> Path:
    """The seed's params plus the sample draws its evaluation scores (a stage-only key, so
    outside the seed's params and its fingerprint), written beside them."""
    tree = yaml.safe_load((folder / "params.yaml").read_text())
    tree["evaluate"] = {**tree["evaluate"], "sample_seeds": list(SAMPLE_DRAWS)}
    path = folder / "evaluate-params.yaml"
    atomic.write_bytes(path, yaml.safe_dump(tree, sort_keys=False).encode())
    return path


@dataclass(frozen=True)
class FamilyRun:
    """A family's seeds made ready to train: their folders written, what was committed or
    handed over put back; `untrained` are the seeds left to train."""

    plan: Plan
    texts: dict[int, str]
    untrained: tuple[int, ...]
    profile_path: Path | None
    results: Path | None
    handed_over: Path | None


def prepare(
    gan: str,
    seeds: Sequence[int],
    params_path: Path = Path("params.yaml"),
    profile_path: Path | None = None,
    workdir: Path | None = None,
    prepared: Path = Path("data/prepared"),
    metric: str = "test_accuracy",
    confidence: float = 0.95,
    evaluate: bool = False,
    reference: Path = Path("models/reference/classifier.keras"),
    results: Path | None = None,
    handed_over: Path | None = None,
) -> FamilyRun:
    """Check every seed's params before any work, write the seed folders, and put back the
    seeds committed under `results` and the checkpoints handed over in `handed_over`."""
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise params.ParamsError("--seeds", [f"must be distinct integers >= 0, got {seeds}"])
    if not 0 < confidence < 1:
        raise params.ParamsError("--confidence", [f"must be in (0, 1), got {confidence}"])
    profile_name = profile_path.stem if profile_path else "default"
    plan = Plan(
        gan=gan,
        seeds=tuple(seeds),
        workdir=workdir or Path("runs") / f"{gan}-{profile_name}",
        prepared=prepared,
        metric=metric,
        confidence=confidence,
        evaluate=evaluate,
        reference=reference,
    )
    texts = seed_params(plan, params_path, profile_path)
    write_seed_params(plan, texts)
    if results is not None:
        restored = committed.restore_seeds(plan, texts, results)
        if restored:
            print(f"repeats: {gan} seeds {restored} committed in {results}; not trained")
    untrained = tuple(seed for seed in plan.seeds if not finished(plan, seed))
    if handed_over is not None:
        restore_handover(plan, texts, handed_over, list(untrained))
    return FamilyRun(plan, texts, untrained, profile_path, results, handed_over)


def finish(family: FamilyRun) -> dict[str, Any]:
    """After every seed finished: drop their handovers, summarise, export to `results`
    (unless it already holds exactly these seeds) and log the export to MLflow once."""
    plan, results = family.plan, family.results
    if family.handed_over is not None:
        for seed in plan.seeds:
            if handover.discard(family.handed_over, seed):
                print(f"repeats: {plan.gan} seed {seed} finished; its handover removed")
    if (
        results is not None
        and not family.untrained
        and committed.holds_exactly(results, plan, family.texts)
    ):
        # Re-exporting the same seeds would only restamp the export's machine and commit.
        print(f"repeats: {results} already holds these seeds finished; left as committed")
        digest = committed.export_digest(results)
        if not committed.logged_here(digest):
            # Trained on machines whose MLflow stores are gone: show the export in this one.
            logged = summarise(plan, family.profile_path)["mlflow_run_id"]
            tracking.tag_finished(logged, {committed.EXPORT_TAG: digest})
            print(f"repeats: logged to MLflow as run {logged}")
        return json.loads((results / "summary.json").read_text())
    summary = summarise(plan, family.profile_path)
    beyond = committed.seeds_beyond(results, plan) if results is not None else []
    if beyond:
        print(f"repeats: {results} also holds seeds {beyond}; not exported over with fewer")
    elif results is not None:
        folders = {str(seed): seed_dir(plan, seed) for seed in plan.seeds}
        export.write_results(plan.gan, folders, summary, results)
        digest = committed.export_digest(results)
        tracking.tag_finished(summary["mlflow_run_id"], {committed.EXPORT_TAG: digest})
    return summary


def run(
    gan: str,
    seeds: Sequence[int],
    *,
    jobs: int = 1,
    threads: int | None = None,
    gpus: float = 0.0,
    address: str | None = None,
    shortest_first: bool = False,
    **options: Any,
) -> dict[str, Any]:
    """One family's seeds on the executor, then its summary; `options` are `prepare`'s
    (the paper graph runs many families' seeds in one graph through `prepare` and `finish`)."""
    if jobs < 1:
        raise params.ParamsError("--jobs", [f"must be >= 1, got {jobs}"])
    family = prepare(gan, seeds, **options)
    placement = executor.Placement(
        threads=threads or executor.threads_for(min(jobs, len(family.plan.seeds))),
        gpus=gpus,
        address=address,
        shortest_first=shortest_first,
    )
    train_seeds(family.plan, placement)
    return finish(family)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    repeat = commands.add_parser("run", help="train every seed, then write summary.json")
    repeat.add_argument("gan", help="GAN family name (a key of params.yaml)")
    repeat.add_argument("--seeds", type=int, nargs="+", required=True)
    repeat.add_argument("--profile", type=Path, help="a partial params.yaml, e.g. paper")
    repeat.add_argument("--params", type=Path, default=Path("params.yaml"))
    repeat.add_argument("--workdir", type=Path, help="default: runs/<gan>-<profile>")
    repeat.add_argument("--prepared", type=Path, default=Path("data/prepared"))
    repeat.add_argument("--metric", default="test_accuracy", help="a key of the train metrics")
    repeat.add_argument("--confidence", type=float, default=0.95)
    repeat.add_argument(
        "--jobs", type=int, default=1, help="seeds at once on this machine (cores split)"
    )
    executor_options(repeat)
    repeat.add_argument(
        "--evaluate", action="store_true", help="score every seed as evaluate@<gan> does"
    )
    repeat.add_argument(
        "--results", type=Path, help="copy summary, per-seed metrics, curves, grids here"
    )
    repeat.add_argument(
        "--handover",
        type=Path,
        help="resume each seed from the checkpoint handed over here if it is further on",
    )
    reference_help = "the reference network scoring uses (default: the reference stage's)"
    repeat.add_argument(
        "--reference",
        type=Path,
        default=Path("models/reference/classifier.keras"),
        help=reference_help,
    )
    one = commands.add_parser("train-seed", help="(internal) train one prepared seed folder")
    one.add_argument("gan")
    one.add_argument("folder", type=Path)
    one.add_argument("--prepared", type=Path, default=Path("data/prepared"))
    one.add_argument("--reference", type=Path, default=Path("models/reference/classifier.keras"))
    one.add_argument("--evaluate", action="store_true")
    give = commands.add_parser(
        "handover", help="copy each seed's checkpoint to a folder to commit (a new machine resumes)"
    )
    give.add_argument("gan")
    give.add_argument("--seeds", type=int, nargs="+", required=True)
    give.add_argument("--workdir", type=Path, required=True)
    give.add_argument("--to", type=Path, required=True, help="e.g. handover/<gan>-paper")
    args = parser.parse_args(argv)
    if args.command == "handover":
        run_stage("repeats", lambda: hand_over(args.gan, args.workdir, args.seeds, args.to))
        return
    if args.command == "train-seed":
        run_stage(
            "train",
            lambda: train_one_seed(
                args.gan, args.folder, args.prepared, args.reference, args.evaluate
            ),
        )
        return

    def repeat_seeds() -> None:
        try:
            summary = run(
                args.gan,
                args.seeds,
                jobs=args.jobs,
                threads=args.threads_per_task,
                gpus=args.gpus_per_task,
                address=args.address,
                shortest_first=args.order == "shortest",
                params_path=args.params,
                profile_path=args.profile,
                workdir=args.workdir,
                prepared=args.prepared,
                metric=args.metric,
                confidence=args.confidence,
                evaluate=args.evaluate,
                reference=args.reference,
                results=args.results,
                handed_over=args.handover,
            )
        except RepeatError as err:
            print(f"repeats: error: {err}", file=sys.stderr)
            sys.exit(EXIT_USER_ERROR)
        print(describe(summary))

    run_stage("repeats", repeat_seeds)


if __name__ == "__main__":
    main()
