"""DVC stage `study_ceiling`: the supervised network trained on every label."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--prepared", type=Path, help="the prepared data")
    parser.add_argument("--result", type=Path, help="where the result goes")
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.study import ceiling

    paths = ceiling.CeilingPaths()
    paths = dataclasses.replace(
        paths, prepared=args.prepared or paths.prepared, result=args.result or paths.result
    )
    result = ceiling.run(args.params, paths)
    print(f"study_ceiling: test accuracy {result['test_accuracy']:.4f}")


if __name__ == "__main__":
    run_stage("study_ceiling", main)
