"""The one fingerprint of a long run's params: a seed, a cell, a handover and an export each
record the SHA-256 of the params text they were made under, and a committed result is
taken up again only under the very same params."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def params_hash(params_text: str) -> str:
    return hashlib.sha256(params_text.encode()).hexdigest()


def trained_under(record: Mapping[str, Any], params_text: str) -> bool:
    """Whether a provenance record (or manifest) names these params (by their hash)."""
    return record.get("params_sha256") == params_hash(params_text)
