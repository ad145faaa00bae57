"""The DVC stages' command line: `python -m ganbench.stages <stage> [args]`, as dvc.yaml runs them.

Each entry validates params.yaml before it imports the heavy stage module (a typo costs a
second, not TensorFlow's start-up), runs the stage in `ganbench.stages.<stage>` and prints
one line of what it made. Errors become one line and a non-zero exit (`run_stage`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ganbench.config import params
from ganbench.plumbing import layout
from ganbench.plumbing.cli import run_stage
from ganbench.reporting import console


def stage_parser(name: str, doc: str | None) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"python -m ganbench.stages {name}", description=doc)


def prepare(argv: Sequence[str]) -> None:
    """DVC stage `prepare`: acquire, verify and parse the dataset; write the labelled subsets."""
    parser = stage_parser("prepare", prepare.__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", type=Path, default=layout.path("prepared"))
    args = parser.parse_args(argv)
    dataset = params.load(args.params).data.dataset  # before the heavy imports
    from ganbench.stages import prepare as prepare_stage

    source, counts = prepare_stage.run(args.params, args.out)
    print(
        f"prepare: {dataset} from {source}: {counts['train_images']} train, "
        f"{counts['test_images']} test, {counts['label_subsets']} labelled subsets"
    )


def reference(argv: Sequence[str]) -> None:
    """DVC stage `reference`: publish the reference classifier the evaluation metrics rely on
    (the pinned one by default); with --pin, train a new one and pin it instead."""
    parser = stage_parser("reference", reference.__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="train the network on data.dataset and make it the pinned one (new hash)",
    )
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import reference as reference_stage

    if args.pin:
        record = reference_stage.pin(args.params)
        print(
            f"reference: pinned references/{record['dataset']}/: weights hash "
            f"{record['weights_hash']} (was {record['previous_weights_hash'] or 'none'}), "
            f"test accuracy {record['test_accuracy']:.4f}, {record['train_seconds']:.0f} s"
        )
        return
    from ganbench.plumbing import tracking

    metrics = reference_stage.run(args.params, register_as=tracking.default_alias())
    print(
        f"reference ({metrics['source']}): test accuracy {metrics['test_accuracy']:.4f}, "
        f"weights {metrics['weights_hash']}, {metrics['wall_seconds']:.0f} s"
    )


def train(argv: Sequence[str]) -> None:
    """DVC stage `train@<gan>`: train one GAN family with the shared loop and track it."""
    parser = stage_parser("train", train.__doc__)
    parser.add_argument("gan", help="GAN family name (a key of params.yaml)")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.plumbing import tracking
    from ganbench.stages import train as train_stage

    metrics = train_stage.run(args.gan, args.params, register_as=tracking.default_alias())
    print(console.train_line(args.gan, metrics, f"train@{args.gan}"))


def evaluate(argv: Sequence[str]) -> None:
    """DVC stage `evaluate@<gan>`: score one trained GAN; writes metrics/<gan>.json."""
    parser = stage_parser("evaluate", evaluate.__doc__)
    parser.add_argument("gan", help="GAN family name (a key of params.yaml)")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import evaluate as evaluate_stage

    metrics = evaluate_stage.run(args.gan, args.params)
    print(console.evaluate_line(args.gan, metrics, f"evaluate@{args.gan}"))


def study(argv: Sequence[str]) -> None:
    """DVC stage `study@<labels>-<seed>`: one cell of the accuracy-versus-label-count study."""
    parser = stage_parser("study", study.__doc__)
    parser.add_argument("labels", type=int, help="label count (one of study.label_counts)")
    parser.add_argument("seed", type=int, help="subset seed (one of study.seeds)")
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--prepared", type=Path, help="the prepared data")
    parser.add_argument("--cells", type=Path, help="where the cell's result goes")
    parser.add_argument("--checkpoints", type=Path, help="where its checkpoints go")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import study as study_stage

    paths = study_stage.StudyPaths()
    paths = dataclasses.replace(
        paths,
        prepared=args.prepared or paths.prepared,
        cells=args.cells or paths.cells,
        checkpoints=args.checkpoints or paths.checkpoints,
    )
    cell = study_stage.run_cell(args.labels, args.seed, args.params, paths)
    shown = ", ".join(f"{k} {v:.4f}" for k, v in cell["accuracy"].items())
    print(f"study@{args.labels}-{args.seed}: {shown}")


def study_ceiling(argv: Sequence[str]) -> None:
    """DVC stage `study_ceiling`: the supervised network trained on every label."""
    parser = stage_parser("study_ceiling", study_ceiling.__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--prepared", type=Path, help="the prepared data")
    parser.add_argument("--result", type=Path, help="where the result goes")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import study_ceiling as ceiling_stage

    paths = ceiling_stage.CeilingPaths()
    paths = dataclasses.replace(
        paths, prepared=args.prepared or paths.prepared, result=args.result or paths.result
    )
    result = ceiling_stage.run(args.params, paths)
    print(f"study_ceiling: test accuracy {result['test_accuracy']:.4f}")


def study_summary(argv: Sequence[str]) -> None:
    """DVC stage `study_summary`: aggregate the label study's cells."""
    parser = stage_parser("study_summary", study_summary.__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import study_summary as summary_stage

    result = summary_stage.run(args.params)
    for count, entry in result["by_label_count"].items():
        means = ", ".join(f"{m} {s['mean']:.4f}" for m, s in entry["methods"].items())
        versus = ", ".join(
            f"{m} {c['mean_difference']:+.4f} (p {c['p_value']:.2g})"
            if c["p_value"] is not None
            else f"{m} {c['mean_difference']:+.4f}"
            for m, c in entry["vs_supervised"].items()
        )
        print(f"study_summary: {count} labels: {means}; minus supervised: {versus}")


def report(argv: Sequence[str]) -> None:
    """DVC stage `report`: write reports/benchmark.md and reports/figures/."""
    parser = stage_parser("report", report.__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args(argv)
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.stages import report as report_stage

    print(f"report: wrote {report_stage.run(args.params)}")


STAGES: dict[str, Callable[[Sequence[str]], None]] = {
    "prepare": prepare,
    "reference": reference,
    "train": train,
    "evaluate": evaluate,
    "study": study,
    "study_ceiling": study_ceiling,
    "study_summary": study_summary,
    "report": report,
}


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in STAGES:
        given = argv[0] if argv else "nothing"
        print(
            f"ganbench.stages: error: stage: expected one of {', '.join(STAGES)}, got {given}",
            file=sys.stderr,
        )
        sys.exit(2)
    name, rest = argv[0], argv[1:]
    run_stage(name, lambda: STAGES[name](rest))


if __name__ == "__main__":
    main()
