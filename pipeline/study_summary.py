"""DVC stage `study_summary`: aggregate the label study's cells."""

from __future__ import annotations

import argparse

from ganbench.cli import run_stage
from ganbench.study import summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    result = summary.run(parser.parse_args().params)
    for count, entry in result["by_label_count"].items():
        means = ", ".join(f"{m} {s['mean']:.4f}" for m, s in entry["methods"].items())
        p_value = entry["sgan_vs_supervised"]["p_value"]
        print(f"study_summary: {count} labels: {means}; SGAN vs supervised p={p_value}")


if __name__ == "__main__":
    run_stage("study_summary", main)
