"""The `ganbench` command: the benchmark's entry points for use from outside the pipeline.

    ganbench score IMAGES.npy              # your images, on the benchmark's scale
    ganbench score GENERATOR.keras --z-dim 100 --noise normal --pixel-range symmetric
    ganbench score GENERATOR.onnx --z-dim 64 --sample-seeds 5 --submit my-gan
    ganbench sample dcgan --count 64       # samples of a trained family, no training
    ganbench sample --model-uri models:/ganbench-acgan-generator@default-profile --classes 3
    ganbench repeats run sgan --profile profiles/paper.yaml --seeds 0 1 2 3 4 --evaluate
    ganbench paper run                      # every long run of the paper profile, on Ray
    ganbench results log                    # the committed results in this MLflow store
    ganbench pin-reference                  # retrain and pin the reference network

Every subcommand has --help. Bad input is one line naming the file or option, exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ganbench.config import params
from ganbench.plumbing import atomic, layout
from ganbench.plumbing.cli import run_stage


def score_command(args: argparse.Namespace) -> None:
    from ganbench.commands import score, submit
    from ganbench.data import splits
    from ganbench.training import loop

    if args.sample_seeds < 1:
        raise params.ParamsError("--sample-seeds", [f"must be >= 1, got {args.sample_seeds}"])
    if args.submit:
        submit.checked_name(args.submit)
    config = params.load(args.params)
    loop.configure_runtime(xla=False)  # before TensorFlow's first op
    p = score.settings(config, args.samples)
    net = score.reference_network(config, args.reference)
    source = str(args.input)
    feature_units = config.section("reference").feature_units
    if args.input.suffix in score.GENERATOR_SUFFIXES:
        seeds = [args.seed + k for k in range(args.sample_seeds)]
        draws = score.generated_draws(
            args.input, p.samples, seeds, args.z_dim, args.noise, args.pixel_range,
            args.conditional,
        )  # fmt: skip
        score.checked_count(draws[0], source, p.samples, feature_units)
    else:
        images = score.unit_images(score.read_array(args.input), source, args.pixel_range)
        score.checked_count(images, source, p.samples, feature_units)
        seeds = [p.seed + k for k in range(args.sample_seeds)]
        draws = score.array_draws(images, p.samples, seeds, source)
    dataset = splits.load(layout.path("prepared"), config.data.dataset)
    metrics = {"input": source, **score.score(draws, seeds, dataset, p, net)}
    print(score.table(metrics))
    if args.out:
        atomic.write_json(args.out, metrics)
        print(f"wrote {args.out}")
    if args.submit:
        entry = submit.submit(args.submit, metrics, args.input, args.argv)
        print(f"wrote {entry} (an outside entry of the report's leaderboard; commit it)")


def sample_command(args: argparse.Namespace) -> None:
    from ganbench.commands import sample

    if (args.family is None) == (args.model_uri is None):
        raise params.ParamsError("ganbench sample", ["give a family name or --model-uri, not both"])
    if args.count < 1:
        raise params.ParamsError("--count", [f"must be >= 1, got {args.count}"])
    if args.family:
        params.load(args.params)
        drawer = sample.from_family(args.family, args.params, args.models)
    else:
        drawer = sample.from_uri(args.model_uri)
    written = sample.write(drawer, args.count, args.seed, args.classes, args.out)
    print("wrote " + ", ".join(str(path) for path in written))


def results_command(args: argparse.Namespace) -> None:
    from ganbench.longrun import imported

    if not args.results.is_dir():
        raise params.ParamsError("--results", [f"{args.results}: no such folder"])
    logged = imported.log_all(args.results)
    print(
        "results: logged to MLflow: " + ", ".join(logged)
        if logged
        else "results: every committed result is in this MLflow store already"
    )


def pin_reference_command(args: argparse.Namespace) -> None:
    from ganbench.stages import reference as reference_stage

    params.load(args.params)
    record = reference_stage.pin(args.params)
    print(json.dumps({k: record[k] for k in ("dataset", "weights_hash", "test_accuracy")}))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="ganbench", description=__doc__.split("\n\n")[0])
    commands = top.add_subparsers(dest="command", required=True)

    score = commands.add_parser(
        "score",
        help="score images or a generator file against the benchmark's reference network",
        description="Score images (.npy/.npz, N x 28 x 28 [x 1]; uint8 0..255, float [0, 1],"
        " or float [-1, 1] with --pixel-range symmetric) or a generator (.keras, or .onnx from"
        " any framework) with the evaluate stage's metrics, sample size and floor, and FID∞.",
    )
    score.add_argument(
        "input", type=Path, help="an .npy/.npz image array, or a .keras or .onnx generator"
    )
    score.add_argument("--pixel-range", choices=("unit", "symmetric"), default="unit")
    score.add_argument("--z-dim", type=int, default=100, help="generator: noise dimensions")
    score.add_argument(
        "--noise", choices=("normal", "uniform_symmetric", "uniform_unit"), default="normal"
    )
    score.add_argument(
        "--conditional", action="store_true", help="generator: also takes a class (0..9)"
    )
    score.add_argument("--seed", type=int, default=0, help="generator: the noise's seed")
    score.add_argument(
        "--sample-seeds", type=int, default=1,
        help="score K independent draws (a generator: seeds --seed..--seed+K-1; images: K "
        "seeded subsets) and give every figure's mean and SD over them",
    )  # fmt: skip
    score.add_argument(
        "--submit", metavar="NAME",
        help="also write results/external/NAME/score.json: an outside entry of the leaderboard",
    )  # fmt: skip
    score.add_argument(
        "--samples", type=int, help="score this many (default evaluate.samples; other sizes "
        "are not comparable with the benchmark's numbers)",
    )  # fmt: skip
    score.add_argument("--reference", type=Path, help="a reference .keras (default: pinned)")
    score.add_argument("--params", default="params.yaml")
    score.add_argument("--out", type=Path, help="write the metrics JSON here")
    score.set_defaults(run=score_command)

    sample = commands.add_parser(
        "sample", help="samples (PNG grid and .npy) from a trained generator, no training"
    )
    sample.add_argument("family", nargs="?", help="a trained family in models/<family>/")
    sample.add_argument("--model-uri", help="an MLflow Model URI instead (models:/name@alias)")
    sample.add_argument("--count", type=int, default=64)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--classes", type=int, nargs="+", help="conditional families: classes")
    sample.add_argument("--out", type=Path, default=Path("samples"))
    sample.add_argument("--models", type=Path, help="the models folder (default: models)")
    sample.add_argument("--params", default="params.yaml")
    sample.set_defaults(run=sample_command)

    repeats = commands.add_parser(
        "repeats", help="train a family over several seeds (see `ganbench repeats run --help`)",
        add_help=False,
    )  # fmt: skip
    repeats.set_defaults(run=None)

    paper = commands.add_parser(
        "paper", help="the paper profile as one job graph (see `ganbench paper run --help`)",
        add_help=False,
    )  # fmt: skip
    paper.set_defaults(run=None)

    results = commands.add_parser(
        "results", help="log the committed results/ (paper runs, paper study) to MLflow, once"
    )
    results.add_argument("action", choices=("log",))
    results.add_argument("--results", type=Path, default=Path("results"))
    results.set_defaults(run=results_command)

    pin = commands.add_parser(
        "pin-reference", help="train the reference network on data.dataset and pin it"
    )
    pin.add_argument("--params", default="params.yaml")
    pin.set_defaults(run=pin_reference_command)
    return top


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["repeats"]:
        from ganbench.longrun import repeats

        repeats.main(argv[1:])
        return
    if argv[:1] == ["paper"]:
        from ganbench.longrun import paper

        paper.main(argv[1:])
        return
    args = parser().parse_args(argv)
    args.argv = argv  # what --submit records as the command
    run_stage(args.command, lambda: args.run(args))


if __name__ == "__main__":
    main()
