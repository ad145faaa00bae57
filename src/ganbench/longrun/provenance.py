"""The one fingerprint of a long run's params: a seed, a cell, a handover and an export each
record the SHA-256 of the params text they were made under, and a committed result is
taken up again only under the very same params."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

# Keys that only the pipeline's stages read: left out of a long run's params, so that adding
# one does not change the fingerprint of runs under way (they score one sample draw;
# `ganbench score --sample-seeds` measures a generator's resampling noise).
STAGE_ONLY_KEYS = {"evaluate": ("sample_seeds",)}


def without_stage_only(sections: Mapping[str, Any]) -> dict[str, Any]:
    """A long run's sections of params.yaml less the stage-only keys: the params it records
    and is fingerprinted by."""
    sections = dict(sections)
    for name, keys in STAGE_ONLY_KEYS.items():
        if isinstance(sections.get(name), Mapping):
            sections[name] = {k: v for k, v in sections[name].items() if k not in keys}
    return sections


def params_hash(params_text: str) -> str:
    return hashlib.sha256(params_text.encode()).hexdigest()


def trained_under(record: Mapping[str, Any], params_text: str) -> bool:
    """Whether a provenance record (or manifest) names these params (by their hash)."""
    return record.get("params_sha256") == params_hash(params_text)
