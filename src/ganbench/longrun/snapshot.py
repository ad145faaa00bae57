"""A long run that has not reached its schedule, scored where it stands: each unfinished
seed's generator is restored from its last checkpoint and scored as `evaluate@<gan>` would
score it, into a snapshot folder laid out as a finished seed's (metrics, the curve during
training so far, the latest grid), which then exports like one — its summary saying how
far each seed got. The run itself is not touched and goes on.

    python -m ganbench.longrun.snapshot wgan --workdir runs/paper/wgan --seeds 0 --metric fid \\
        --results results/wgan-paper
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ganbench.config import params
from ganbench.longrun import export
from ganbench.longrun.seeds import Plan, checkpoint_path, seed_sections
from ganbench.longrun.summary import describe, summarise
from ganbench.models import registry
from ganbench.plumbing import atomic
from ganbench.plumbing.cli import run_stage
from ganbench.plumbing.errors import InputError


def seed_config(folder: Path, gan: str) -> params.Params:
    """The seed's params, reading only the sections its stages read (a folder written with
    the whole of an older params.yaml still loads)."""
    tree = yaml.safe_load((folder / "params.yaml").read_text())
    return params.parse(seed_sections(tree, gan), str(folder / "params.yaml"))


def snapshot_seed(
    gan: str, folder: Path, out: Path, prepared: Path, reference: Path
) -> dict[str, Any]:
    """Restore the seed's last checkpoint, score it, write `out` as a seed folder."""
    from ganbench.stages import evaluate as evaluate_stage
    from ganbench.training import loop, runner

    checkpoint = checkpoint_path(folder, gan)
    if not checkpoint.is_file():
        raise InputError(f"{checkpoint}: no checkpoint to score")
    config_all = seed_config(folder, gan)
    config = config_all.section(gan)
    family = registry.family(gan)
    dataset = None
    if family.images or family.semi_supervised:
        from ganbench.data import splits

        dataset = splits.load(prepared, config_all.data.dataset)
    untrained = evaluate_stage.untrained_sampler(gan, config)
    model = runner.create_model(family, config, dataset, prepared, config_all.compute)
    fingerprint = loop.fingerprint(config, config_all.compute.precision)
    step, log = loop.Checkpointer(checkpoint, model, fingerprint).restore()
    if step == 0:
        raise InputError(f"{checkpoint}: belongs to other params than {folder / 'params.yaml'}")
    paths = evaluate_stage.EvaluatePaths(prepared=prepared, reference=reference)
    scored = evaluate_stage.score_samplers(gan, config_all, model.sampler(), untrained, paths)
    running = running_run(gan)
    train = {
        "gan": gan,
        "seed": config.schedule.seed,
        "steps": step,
        "finished": False,
        "total_seconds": log.total_seconds,
        "segments": log.segments,
        "mlflow_run_id": running.info.run_id if running else None,
        "git_commit": running.data.tags.get("git_commit") if running else None,
    }
    with atomic.staged_dir(out) as staging:
        shutil.copyfile(folder / "params.yaml", staging / "params.yaml")
        (staging / "metrics" / "train").mkdir(parents=True)
        atomic.write_json(staging / "metrics" / "train" / f"{gan}.json", train)
        atomic.write_json(staging / "metrics" / f"{gan}.json", scored)
        atomic.write_csv(export.progress_curve(staging, gan), log.evaluations, ("step",))
        samples = checkpoint.parent / "samples"
        if samples.is_dir():
            shutil.copytree(samples, staging / "models" / gan / "samples")
        # the networks as they stand, as the train stage exports finished ones: an
        # unfinished generator can be scored or sampled (`ganbench score`, `sample --models`)
        for name, network in model.exported().items():
            network.save(staging / "models" / gan / f"{name}.keras")
    return {"steps": step, "schedule": config.schedule.iterations, **scored}


def copy_finished_seed(folder: Path, out: Path) -> None:
    """A finished seed goes into the snapshot as it is (its checkpoints left behind)."""
    with atomic.staged_dir(out) as staging:
        shutil.copytree(
            folder, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns("checkpoints")
        )


def running_run(gan: str):
    """The family's training run still open in the tracking store (the one this seed is
    training in), for its commit and id; None when the store has none."""
    from ganbench.plumbing import tracking

    runs = tracking.find_runs(
        "train", f"attributes.run_name = '{gan}' and attributes.status = 'RUNNING'"
    )
    return runs[0] if runs else None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every given seed that has started: a finished one as it stands, an unfinished one
    scored from its last checkpoint; seeds not started yet are left out."""
    snapshots = args.workdir.parent / f"{args.workdir.name}-snapshot"
    started = []
    for seed in args.seeds:
        folder, out = args.workdir / f"seed-{seed}", snapshots / f"seed-{seed}"
        if (folder / "metrics" / f"{args.gan}.json").is_file():
            copy_finished_seed(folder, out)
        elif checkpoint_path(folder, args.gan).is_file():
            snapshot_seed(args.gan, folder, out, args.prepared, args.reference)
        else:
            continue
        started.append(seed)
    if not started:
        raise InputError(f"{args.workdir}: none of seeds {args.seeds} has started")
    plan = Plan(
        args.gan, tuple(started), snapshots, args.prepared, args.metric, 0.95, evaluate=True
    )
    summary = summarise(plan, args.profile, log_run=False)
    summary["finished"] = False
    folders = {str(s): snapshots / f"seed-{s}" for s in started}
    export.write_results(args.gan, folders, summary, args.results)
    return summary


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gan")
    parser.add_argument("--workdir", type=Path, required=True, help="the repeats' folder")
    parser.add_argument("--seeds", type=int, nargs="+", required=True)
    parser.add_argument("--metric", default="fid")
    parser.add_argument("--profile", type=Path, help="recorded in the summary")
    parser.add_argument("--prepared", type=Path, default=Path("data/prepared"))
    parser.add_argument("--reference", type=Path, default=Path("models/reference/classifier.keras"))
    parser.add_argument("--results", type=Path, required=True)
    args = parser.parse_args(argv)

    def go() -> None:
        summary = run(args)
        reached = ", ".join(f"seed {seed} at {steps:,}" for seed, steps in summary["steps"].items())
        print(f"snapshot: {describe(summary)} ({reached} of {summary['schedule_steps']:,})")

    run_stage("snapshot", go)


if __name__ == "__main__":
    main()
