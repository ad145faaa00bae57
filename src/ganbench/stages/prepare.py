"""DVC stage `prepare`: acquire the configured dataset, check every file against its pinned
digest, parse it and write it with its labelled subsets (`ganbench.data.prepare`); one
MLflow run."""

from __future__ import annotations

from pathlib import Path

from ganbench.config import params as params_module
from ganbench.data import sources
from ganbench.data.prepare import read_dataset, write_prepared
from ganbench.plumbing import schema, tracking


def run(params_path: str, out: Path) -> tuple[str, dict[str, int]]:
    """The prepare stage: acquire the configured dataset, check every file against its
    pinned digest, parse it and write it with its labelled subsets; one MLflow run.
    Returns where the files came from and the counts written."""
    data = params_module.load(params_path).data
    pins = sources.PINNED_SHA256[data.dataset]
    if data.checksum_file:
        pins = sources.parse_checksum_file(Path(data.checksum_file))
    with tracking.run("prepare", f"prepare/{data.dataset}", "prepare") as run:
        run.log_params(schema.flatten(data, "data."))
        acquired = sources.acquire(
            data.dataset, Path(data.cache_dir), sources.default_sources(data.source_dir), pins
        )
        run.set_tags({"data_source": acquired.source})
        run.log_params({f"sha256.{role}": digest for role, digest in acquired.sha256.items()})
        counts = write_prepared(out, data, read_dataset(acquired))
        run.log_metrics(counts)
    return acquired.source, counts
