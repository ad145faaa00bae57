"""DVC stage `study_ceiling`: the supervised network trained on every label."""

from __future__ import annotations

import argparse

from ganbench.cli import run_stage
from ganbench.study import ceiling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    result = ceiling.run(parser.parse_args().params)
    print(f"study_ceiling: test accuracy {result['test_accuracy']:.4f}")


if __name__ == "__main__":
    run_stage("study_ceiling", main)
