"""DVC stage `study_summary`: aggregate the label study's cells."""

from __future__ import annotations

import argparse

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench.study import summary

    result = summary.run(args.params)
    for count, entry in result["by_label_count"].items():
        means = ", ".join(f"{m} {s['mean']:.4f}" for m, s in entry["methods"].items())
        versus = ", ".join(
            f"{m} {c['mean_difference']:+.4f} (p {c['p_value']})"
            for m, c in entry["vs_supervised"].items()
        )
        print(f"study_summary: {count} labels: {means}; minus supervised: {versus}")


if __name__ == "__main__":
    run_stage("study_summary", main)
