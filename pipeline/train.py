"""DVC stage `train@<gan>`: train one GAN family with the shared loop and track it."""

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
    from ganbench import tracking, train_stage

    metrics = train_stage.run(args.gan, args.params, register_as=tracking.default_alias())
    shown = {k: v for k, v in metrics.items() if isinstance(v, int | float)}
    print(f"train@{args.gan}: {shown}")


if __name__ == "__main__":
    run_stage("train", main)
