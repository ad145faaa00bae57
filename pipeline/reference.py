"""DVC stage `reference`: train the reference classifier the evaluation metrics rely on."""

from __future__ import annotations

import argparse

from ganbench import reference_stage
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    metrics = reference_stage.run(args.params)
    print(
        f"reference: test accuracy {metrics['test_accuracy']:.4f}, "
        f"weights {metrics['weights_hash']}, {metrics['wall_seconds']:.0f} s"
    )


if __name__ == "__main__":
    run_stage("reference", main)
