"""DVC stage `reference`: publish the reference classifier the evaluation metrics rely on
(the pinned one by default); with --pin, train a new one and pin it instead."""

from __future__ import annotations

import argparse

from ganbench import params
from ganbench.cli import run_stage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument(
        "--pin",
        action="store_true",
        help="train the network on data.dataset and make it the pinned one (new hash)",
    )
    args = parser.parse_args()
    params.load(args.params)  # validated before the heavy imports: a typo costs a second
    from ganbench import reference_stage

    if args.pin:
        record = reference_stage.pin(args.params)
        print(
            f"reference: pinned references/{record['dataset']}/: weights hash "
            f"{record['weights_hash']} (was {record['previous_weights_hash'] or 'none'}), "
            f"test accuracy {record['test_accuracy']:.4f}, {record['train_seconds']:.0f} s"
        )
        return
    from ganbench import tracking

    metrics = reference_stage.run(args.params, register_as=tracking.default_alias())
    print(
        f"reference ({metrics['source']}): test accuracy {metrics['test_accuracy']:.4f}, "
        f"weights {metrics['weights_hash']}, {metrics['wall_seconds']:.0f} s"
    )


if __name__ == "__main__":
    run_stage("reference", main)
