"""DVC stage `evaluate@<gan>`: score one trained GAN; writes metrics/<gan>.json."""

from __future__ import annotations

import argparse

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("gan", help="GAN family name (a key of params.yaml)")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench import evaluate_stage

    metrics = evaluate_stage.run(args.gan, args.params)
    shown = {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)}
    print(f"evaluate@{args.gan}: {shown}")


if __name__ == "__main__":
    run_stage("evaluate", main)
