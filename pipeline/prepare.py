"""DVC stage `prepare`: acquire, verify and parse the dataset; write the labelled subsets."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganbench import layout, params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", type=Path, default=layout.path("prepared"))
    args = parser.parse_args()
    dataset = params.load(args.params).data.dataset  # before the heavy imports
    from ganbench import prepare_stage

    source, counts = prepare_stage.run(args.params, args.out)
    print(
        f"prepare: {dataset} from {source}: {counts['train_images']} train, "
        f"{counts['test_images']} test, {counts['label_subsets']} labelled subsets"
    )


if __name__ == "__main__":
    run_stage("prepare", main)
