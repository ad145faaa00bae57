"""DVC stage `report`: write reports/benchmark.md and reports/figures/."""

from __future__ import annotations

import argparse

from ganbench import report
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    print(f"report: wrote {report.run(parser.parse_args().params)}")


if __name__ == "__main__":
    run_stage("report", main)
