"""DVC stage `report`: write reports/benchmark.md and reports/figures/."""

from __future__ import annotations

import argparse

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench import report

    print(f"report: wrote {report.run(args.params)}")


if __name__ == "__main__":
    run_stage("report", main)
