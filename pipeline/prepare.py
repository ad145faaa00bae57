"""DVC stage `prepare`: acquire, verify and parse the dataset; write the labelled subsets."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganbench import params as params_module
from ganbench import tracking
from ganbench.cli import run_stage
from ganbench.data import prepare, sources

PREPARED_DIR = Path("data/prepared")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", default=str(PREPARED_DIR))
    args = parser.parse_args()

    params = params_module.load(args.params)
    data = params.data
    pins = sources.PINNED_SHA256[data.dataset]
    if data.checksum_file:
        pins = sources.parse_checksum_file(Path(data.checksum_file))

    with tracking.run("prepare", f"prepare/{data.dataset}", "prepare") as run:
        run.log_params(params_module.flatten(data, "data."))
        acquired = sources.acquire(
            data.dataset, Path(data.cache_dir), sources.default_sources(data.source_dir), pins
        )
        run.set_tags({"data_source": acquired.source})
        run.log_params({f"sha256.{role}": digest for role, digest in acquired.sha256.items()})
        dataset = prepare.read_dataset(acquired)
        counts = prepare.write_prepared(Path(args.out), data, dataset)
        run.log_metrics(counts)
    print(
        f"prepare: {data.dataset} from {acquired.source}: {counts['train_images']} train, "
        f"{counts['test_images']} test, {counts['label_subsets']} labelled subsets"
    )


if __name__ == "__main__":
    run_stage("prepare", main)
