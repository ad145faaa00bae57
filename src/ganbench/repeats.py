"""Train one family over several seeds under a profile and summarise one of its metrics.

    python -m ganbench.repeats run sgan_fm --profile profiles/paper.yaml --seeds 0 1 2 --jobs 3
    python -m ganbench.repeats run dcgan --profile profiles/paper.yaml --seeds 0 \
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
import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ganbench import atomic, export, handover, layout, params, profiles, tracking
from ganbench.cli import EXIT_USER_ERROR, run_stage
from ganbench.errors import InputError
from ganbench.models import registry
from ganbench.study import aggregate

LOG_NAME = "train.log"
POLL_SECONDS = 0.5


class RepeatError(RuntimeError):
    """A seed's training failed, or its metrics lack the metric to summarise."""


@dataclass(frozen=True)
class Plan:
    gan: str
    seeds: tuple[int, ...]
    workdir: Path
    prepared: Path
    metric: str
    confidence: float
    evaluate: bool = False
    reference: Path = Path("models/reference/classifier.keras")


# The figures a summary carries for every seed and as mean and interval, where the family's
# metrics have them: the evaluate suite's headline numbers, the mode-collapse diagnostics,
# the accuracies of the semi-supervised families and the 1-D GAN's moments.
SUMMARY_KEYS = (
    "fid",
    "untrained_fid",
    "floor_fid",
    "kid",
    "precision",
    "recall",
    "density",
    "coverage",
    "classifier_score",
    "class_entropy",
    "class_kl_uniform",
    "conditional_accuracy",
    "intra_fid",
    "test_accuracy",
    "baseline_test_accuracy",
    "accuracy_gain_over_baseline",
    "mean",
    "std",
    "skewness",
    "kurtosis",
    "w1",
    "ks",
)


# What a seed's train and evaluate stages read of params.yaml, besides the family's section:
# a seed's params hold only these, so that a change elsewhere (the study's schema, another
# family) neither invalidates a finished seed nor stops its evaluation.
SEED_SECTIONS = ("data", "reference", "evaluate")


def seed_tree(base: dict, profile: dict, gan: str, seed: int) -> dict:
    """params.yaml with the profile applied, the family's seed(s) set to `seed`, and only
    the sections the seed's stages read."""
    tree = profiles.apply(base, profile)
    override: dict[str, Any] = {"schedule": {"seed": seed}}
    if registry.family(gan).semi_supervised:
        override["labelled"] = {"seed": seed}
    return seed_sections(profiles.apply(tree, {gan: override}), gan)


def seed_sections(tree: dict, gan: str) -> dict:
    """Of a whole params tree, the sections a seed's stages read."""
    return {name: tree[name] for name in (*SEED_SECTIONS, gan) if name in tree}


def seed_dir(plan: Plan, seed: int) -> Path:
    return seed_folder(plan.workdir, seed)


def seed_folder(workdir: Path, seed: int) -> Path:
    return workdir / f"seed-{seed}"


def metrics_path(plan: Plan, seed: int) -> Path:
    """The seed's train metrics (laid out as the pipeline's: metrics/train/<gan>.json)."""
    return seed_dir(plan, seed) / "metrics" / "train" / f"{plan.gan}.json"


def evaluation_path(plan: Plan, seed: int) -> Path:
    return seed_dir(plan, seed) / "metrics" / f"{plan.gan}.json"


def checkpoint_path(folder: Path, gan: str) -> Path:
    """Where the train stage keeps a seed folder's checkpoint."""
    return folder / layout.path("checkpoints") / gan / "checkpoint.npz"


def finished(plan: Plan, seed: int) -> bool:
    done = evaluation_path(plan, seed) if plan.evaluate else metrics_path(plan, seed)
    return done.is_file()


def seed_params(plan: Plan, params_path: Path, profile_path: Path | None) -> dict[int, str]:
    """Every seed's params file, each checked as a stage would check it, before any work."""
    registry.family(plan.gan)
    base = params.read_mapping(params_path)
    profile = params.read_mapping(profile_path) if profile_path else {}
    source = f"{params_path} + {profile_path}" if profile_path else str(params_path)
    if plan.gan not in base:
        raise params.ParamsError(str(params_path), [f"{plan.gan}: section is missing"])
    texts = {}
    for seed in plan.seeds:
        tree = seed_tree(base, profile, plan.gan, seed)
        params.parse(tree, source)
        texts[seed] = yaml.safe_dump(tree, sort_keys=False)
    return texts


def write_seed_params(plan: Plan, texts: dict[int, str]) -> None:
    """A seed whose params changed loses its finished metrics, so it trains again (its
    checkpoint, tied to the old config, is not resumed either). A folder written with the
    whole of params.yaml keeps its results when the sections a seed reads are the same."""
    atomic.ensure_writable(plan.workdir)
    for seed, text in texts.items():
        path = seed_dir(plan, seed) / "params.yaml"
        if path.is_file() and path.read_text() == text:
            continue
        wanted = yaml.safe_load(text)
        if path.is_file():
            stored = yaml.safe_load(path.read_text()) or {}
            if {name: stored.get(name) for name in wanted} != wanted:
                metrics_path(plan, seed).unlink(missing_ok=True)
                evaluation_path(plan, seed).unlink(missing_ok=True)
        atomic.write_bytes(path, text.encode())


def restore_committed_seeds(plan: Plan, texts: dict[int, str], results: Path) -> list[int]:
    """Seeds that `results` (an exported result, as committed) holds finished under the very
    params each seed has now, put back into their folders as if trained here: a new machine
    does not train them again. Their provenance (commit, machine, wall time) travels along.
    Returns the seeds restored."""
    summary_path = results / "summary.json"
    if not summary_path.is_file():
        return []
    summary = json.loads(summary_path.read_text())
    committed = summary.get("provenance", {}).get("seeds", {})
    restored = []
    for seed in plan.seeds:
        record, stored = committed.get(str(seed)), results / f"seed-{seed}.json"
        if finished(plan, seed) or record is None or not stored.is_file():
            continue
        same_params = trained_under(record, texts[seed])
        per_seed = json.loads(stored.read_text())
        done = per_seed["train"].get("steps") == summary.get("schedule_steps")
        if not (same_params and done) or (plan.evaluate and "evaluation" not in per_seed):
            continue
        folder = seed_dir(plan, seed)
        atomic.write_json(folder / "provenance.json", record)
        if plan.evaluate:
            atomic.write_json(evaluation_path(plan, seed), per_seed["evaluation"])
        curve = results / f"seed-{seed}-progress.csv"
        if curve.is_file():
            restored_curve = export.progress_curve(folder, plan.gan)
            restored_curve.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(curve, restored_curve)
        grid = results / f"seed-{seed}-samples.png"
        if grid.is_file():
            samples = folder / "models" / plan.gan / "samples"
            samples.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(grid, samples / f"step-{per_seed['train']['steps']:06d}.png")
        atomic.write_json(metrics_path(plan, seed), per_seed["train"])  # last: it marks done
        restored.append(seed)
    return restored


def holds_exactly(results: Path, plan: Plan, texts: dict[int, str]) -> bool:
    """Whether the committed `results` are a finished export of exactly these seeds, each
    under the params it has now."""
    summary_path = results / "summary.json"
    if not summary_path.is_file():
        return False
    summary = json.loads(summary_path.read_text())
    committed = summary.get("provenance", {}).get("seeds", {})
    return (
        summary.get("finished", True)
        and set(committed) == {str(seed) for seed in plan.seeds}
        and all(trained_under(committed[str(seed)], texts[seed]) for seed in plan.seeds)
    )


def trained_under(record: dict[str, Any], params_text: str) -> bool:
    """Whether a seed's provenance record names these params (by their hash)."""
    return record.get("params_sha256") == hashlib.sha256(params_text.encode()).hexdigest()


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


def last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(empty log)"


def train_seeds(plan: Plan, jobs: int) -> None:
    """Train the unfinished seeds, `jobs` at a time, each in its own process (TensorFlow's
    determinism settings are per process); with several jobs the cores are split.

    SIGINT and SIGTERM are passed on to the running seeds, which checkpoint and exit; no
    new seed starts after one, and the run ends as interrupted."""
    queue = [s for s in plan.seeds if not finished(plan, s)]
    env = dict(os.environ)
    if jobs > 1:
        env.setdefault("TF_NUM_INTRAOP_THREADS", str(max(1, (os.cpu_count() or 1) // jobs)))
    running: dict[int, subprocess.Popen] = {}
    failed: list[tuple[int, int]] = []
    signals: list[int] = []

    def forward(signum: int, frame: object) -> None:
        signals.append(signum)
        for process in running.values():
            process.send_signal(signum)

    def start(seed: int) -> subprocess.Popen:
        folder = seed_dir(plan, seed)
        command = [sys.executable, "-m", "ganbench.repeats", "train-seed", plan.gan, str(folder)]
        command += ["--prepared", str(plan.prepared), "--reference", str(plan.reference)]
        if plan.evaluate:
            command.append("--evaluate")
        with open(folder / LOG_NAME, "a") as log:
            return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while running or (queue and not signals):
            while queue and not signals and len(running) < jobs:
                seed = queue.pop(0)
                running[seed] = start(seed)
            for seed, process in list(running.items()):
                if process.poll() is not None:
                    del running[seed]
                    if process.returncode != 0:
                        failed.append((seed, process.returncode))
            time.sleep(POLL_SECONDS)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if signals:
        raise KeyboardInterrupt(f"signal {signals[0]}; seeds resume from their checkpoints")
    if failed:
        raise RepeatError(
            "; ".join(
                f"seed {seed} failed (exit {code}): {last_line(seed_dir(plan, seed) / LOG_NAME)}"
                f" [log: {seed_dir(plan, seed) / LOG_NAME}]"
                for seed, code in failed
            )
        )


def train_one_seed(
    gan: str, folder: Path, prepared: Path, reference: Path, evaluate: bool = False
) -> None:
    """Train the seed in `folder` unless it finished training already; then, if asked,
    score it as the evaluate stage does."""
    from ganbench import evaluate_stage, train_stage

    params_path = str(folder / "params.yaml")
    train_metrics = folder / "metrics" / "train"
    if not (train_metrics / f"{gan}.json").is_file():
        paths = train_stage.StagePaths.under(folder, prepared, reference)
        # registered as the seed's own version: <workdir>-seed-<s>, not the default profile's
        alias = f"{folder.parent.name}-{folder.name}"
        metrics = train_stage.run(gan, params_path, paths, register_as=alias)
        shown = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
        print(f"{folder.name}: {shown}")
    if evaluate:
        paths = evaluate_stage.EvaluatePaths(
            prepared=prepared,
            models=folder / "models",
            train_metrics=train_metrics,
            metrics=folder / "metrics",
            reference=reference,
        )
        scored = evaluate_stage.run(gan, params_path, paths)
        shown = {k: round(v, 4) for k, v in scored.items() if isinstance(v, float)}
        print(f"{folder.name} evaluated: {shown}")


def seed_metrics(plan: Plan, seed: int) -> dict[str, float]:
    """Every numeric figure of one seed: its train metrics and, when evaluated, its
    evaluation metrics flattened as MLflow has them (floor_fid, untrained_fid, ...)."""
    from ganbench.evaluate_stage import loggable

    metrics = json.loads(metrics_path(plan, seed).read_text())
    flat = {k: float(v) for k, v in metrics.items() if is_number(v)}
    if plan.evaluate:
        flat.update(loggable(json.loads(evaluation_path(plan, seed).read_text())))
    flat["mlflow_run_id"] = metrics["mlflow_run_id"]
    return flat


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarise(plan: Plan, profile_path: Path | None, log_run: bool = True) -> dict[str, Any]:
    """Collect the metric from every seed's metrics, log it as one MLflow run with the seeds'
    runs nested under it (unless `log_run` is False), and write summary.json."""
    per_seed: dict[str, float] = {}
    run_ids: dict[str, str] = {}
    figures: dict[str, dict[str, float]] = {}
    for seed in plan.seeds:
        flat = seed_metrics(plan, seed)
        if plan.metric not in flat:
            numeric = sorted(k for k, v in flat.items() if is_number(v))
            source = evaluation_path(plan, seed) if plan.evaluate else metrics_path(plan, seed)
            raise RepeatError(
                f"{source}: no numeric metric {plan.metric!r} (has: {', '.join(numeric)})"
            )
        per_seed[str(seed)] = flat[plan.metric]
        run_ids[str(seed)] = flat["mlflow_run_id"]
        for key in SUMMARY_KEYS:
            if key in flat:
                figures.setdefault(key, {})[str(seed)] = flat[key]
        figures.setdefault("steps", {})[str(seed)] = flat["steps"]
    stats = aggregate.summarise(per_seed.values(), plan.confidence)
    summary = {
        "gan": plan.gan,
        "profile": str(profile_path) if profile_path else None,
        "metric": plan.metric,
        "confidence": plan.confidence,
        "per_seed": per_seed,
        **stats,
        "steps": {seed: int(v) for seed, v in figures.pop("steps").items()},
        "schedule_steps": schedule_steps(plan),
        "mlflow_run_ids": run_ids,
    }
    if plan.evaluate:
        summary["metrics"] = {
            key: {"per_seed": values, **aggregate.summarise(values.values(), plan.confidence)}
            for key, values in figures.items()
        }
    if not log_run:
        atomic.write_json(plan.workdir / "summary.json", summary)
        return summary
    name = f"{plan.workdir.name} seeds {','.join(per_seed)}"
    # In the seeds' own experiment, so that the MLflow UI shows them nested under it.
    with tracking.run("train", name, "repeats", tags={"gan": plan.gan}) as tracked:
        tracked.log_params(
            {
                "profile": summary["profile"],
                "metric": plan.metric,
                "confidence": plan.confidence,
                "seeds": ",".join(per_seed),
            }
        )
        tracked.log_metrics(
            {
                **{f"{plan.metric}_{key}": v for key, v in stats.items() if v is not None},
                **{f"{plan.metric}_seed_{seed}": v for seed, v in per_seed.items()},
            }
        )
        log_curves(tracked, plan)
        tracking.adopt(tracked.run_id, list(run_ids.values()))
        summary["mlflow_run_id"] = tracked.run_id
        atomic.write_json(plan.workdir / "summary.json", summary)
    return summary


def log_curves(tracked: tracking.Run, plan: Plan) -> None:
    """Each seed's evaluations during training as the summary run's metric history
    (`progress_fid_seed_0`, ...). A seed resumed in several sessions logged each stretch to
    a run of its own, on whichever machine trained it; here its whole curve is in one run."""
    for seed in plan.seeds:
        path = export.progress_curve(seed_dir(plan, seed), plan.gan)
        if not path.is_file():
            continue
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                step = int(float(row.pop("step")))
                values = {f"progress_{key}_seed_{seed}": float(v) for key, v in row.items() if v}
                tracked.log_metrics(values, step=step)


def schedule_steps(plan: Plan) -> int:
    """The schedule's iterations, as every seed's params file has them."""
    tree = yaml.safe_load((seed_dir(plan, plan.seeds[0]) / "params.yaml").read_text())
    return int(tree[plan.gan]["schedule"]["iterations"])


def describe(summary: dict[str, Any]) -> str:
    line = f"{summary['gan']} {summary['metric']} over seeds {list(summary['per_seed'])}: "
    line += f"mean {summary['mean']:.4f}"
    if summary["ci_low"] is not None:
        percent = round(100 * summary["confidence"])
        line += f", {percent}% CI [{summary['ci_low']:.4f}, {summary['ci_high']:.4f}]"
    return line


def run(
    gan: str,
    seeds: Sequence[int],
    params_path: Path = Path("params.yaml"),
    profile_path: Path | None = None,
    workdir: Path | None = None,
    prepared: Path = Path("data/prepared"),
    metric: str = "test_accuracy",
    confidence: float = 0.95,
    jobs: int = 1,
    evaluate: bool = False,
    reference: Path = Path("models/reference/classifier.keras"),
    results: Path | None = None,
    handed_over: Path | None = None,
) -> dict[str, Any]:
    if not seeds or len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise params.ParamsError("--seeds", [f"must be distinct integers >= 0, got {seeds}"])
    if not 0 < confidence < 1:
        raise params.ParamsError("--confidence", [f"must be in (0, 1), got {confidence}"])
    if jobs < 1:
        raise params.ParamsError("--jobs", [f"must be >= 1, got {jobs}"])
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
    # Made (and migrated) once here: seeds starting at once on a new SQLite store race.
    tracking.connect()
    write_seed_params(plan, texts)
    if results is not None:
        restored = restore_committed_seeds(plan, texts, results)
        if restored:
            print(f"repeats: seeds {restored} finished as committed in {results}; not trained")
    untrained = [seed for seed in plan.seeds if not finished(plan, seed)]
    if handed_over is not None:
        restore_handover(plan, texts, handed_over, untrained)
    train_seeds(plan, min(jobs, len(plan.seeds)))
    if handed_over is not None:
        for seed in plan.seeds:
            if handover.discard(handed_over, seed):
                print(f"repeats: seed {seed} finished; its handover in {handed_over} removed")
    if results is not None and not untrained and holds_exactly(results, plan, texts):
        # Re-exporting the same seeds would only restamp the export's machine and commit.
        print(f"repeats: {results} already holds these seeds finished; left as committed")
        digest = export_digest(results)
        if not logged_here(digest):
            # Trained on machines whose MLflow stores are gone: show the export in this one.
            logged = summarise(plan, profile_path)["mlflow_run_id"]
            tracking.tag_finished(logged, {EXPORT_TAG: digest})
            print(f"repeats: logged to MLflow as run {logged}")
        return json.loads((results / "summary.json").read_text())
    summary = summarise(plan, profile_path)
    if results is not None:
        folders = {str(seed): seed_dir(plan, seed) for seed in plan.seeds}
        export.write_results(plan.gan, folders, summary, results)
        tracking.tag_finished(summary["mlflow_run_id"], {EXPORT_TAG: export_digest(results)})
    return summary


# The summary run of an export carries its summary.json's digest, so that the committed
# results are logged once per MLflow store, however often the paper command is re-run.
EXPORT_TAG = "ganbench.export_sha256"


def export_digest(results: Path) -> str:
    return hashlib.sha256((results / "summary.json").read_bytes()).hexdigest()


def logged_here(digest: str) -> bool:
    """Whether this MLflow store already holds the summary run of the export with `digest`."""
    return bool(tracking.find_runs("train", f"tags.`{EXPORT_TAG}` = '{digest}'"))


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
    repeat.add_argument("--jobs", type=int, default=1, help="seeds trained at once")
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
                args.params,
                args.profile,
                args.workdir,
                args.prepared,
                args.metric,
                args.confidence,
                args.jobs,
                args.evaluate,
                args.reference,
                args.results,
                args.handover,
            )
        except RepeatError as err:
            print(f"repeats: error: {err}", file=sys.stderr)
            sys.exit(EXIT_USER_ERROR)
        print(describe(summary))

    run_stage("repeats", repeat_seeds)


if __name__ == "__main__":
    main()
