"""A long run's last checkpoint, committed, so that a replaced machine resumes it.

A seed of the paper profile trains for hours to days, longer than a working session, and a
machine can be handed over with runs/ gone. `save` copies an unfinished seed's checkpoint
into a committed folder (handover/<gan>-<profile>/), cut into parts that any git host
takes, beside a manifest naming the step it holds, the seed's params hash and the sha256
of the whole. Before training, `restore` puts it back where the seed's folder has an older
checkpoint or none; a manifest for other params is left alone, and a part that does not
match its hash is refused. The checkpoint's own config fingerprint still decides, as on
any resume, whether training continues from it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from ganbench.longrun.provenance import params_hash, trained_under
from ganbench.plumbing import atomic, machine, tracking
from ganbench.plumbing.errors import InputError

# Under the 50 MB at which common git hosts start to warn about a file.
PART_BYTES = 40 * 2**20


def manifest_path(folder: Path, seed: int) -> Path:
    return folder / f"seed-{seed}.json"


def checkpoint_step(checkpoint: Path) -> int:
    """The step a checkpoint file holds, read from its metadata (0 when there is none)."""
    if not checkpoint.is_file():
        return 0
    with np.load(checkpoint) as stored:
        return int(json.loads(stored["meta"].tobytes().decode())["step"])


def handed_over_step(folder: Path, seed: int, params_text: str) -> int:
    """The step the handover holds for this seed under these params, 0 if none."""
    manifest = read_manifest(folder, seed)
    if manifest is None or not trained_under(manifest, params_text):
        return 0
    return int(manifest["step"])


def read_manifest(folder: Path, seed: int) -> dict[str, Any] | None:
    path = manifest_path(folder, seed)
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
        for key in ("step", "params_sha256", "sha256", "bytes", "parts"):
            manifest[key]
    except (ValueError, KeyError, TypeError) as err:
        raise InputError(f"{path}: not a handover manifest ({err})") from err
    return manifest


def save(checkpoint: Path, params_text: str, folder: Path, seed: int) -> dict[str, Any] | None:
    """Hand over the seed's checkpoint unless the handover already holds its step; returns
    the manifest written, or None when there was nothing newer to hand over."""
    step = checkpoint_step(checkpoint)
    if step == 0 or handed_over_step(folder, seed, params_text) >= step:
        return None
    data = checkpoint.read_bytes()
    for stale in folder.glob(f"seed-{seed}.npz.*"):
        stale.unlink()
    parts = []
    for index, start in enumerate(range(0, len(data), PART_BYTES)):
        part = folder / f"seed-{seed}.npz.{index:03d}"
        atomic.write_bytes(part, data[start : start + PART_BYTES])
        parts.append(part.name)
    manifest = {
        "seed": seed,
        "step": step,
        "params_sha256": params_hash(params_text),
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "parts": parts,
        "git_commit": tracking.git_commit(),
        "machine": machine.one_line(),
    }
    # Written last: a manifest names only parts already in place.
    atomic.write_json(manifest_path(folder, seed), manifest)
    return manifest


def restore(checkpoint: Path, params_text: str, folder: Path, seed: int) -> int:
    """Put the handed-over checkpoint in place if it is further on than the local one;
    returns the step restored, 0 when the local checkpoint was kept."""
    step = handed_over_step(folder, seed, params_text)
    if step <= checkpoint_step(checkpoint):
        return 0
    manifest = read_manifest(folder, seed)
    assert manifest is not None
    missing = [name for name in manifest["parts"] if not (folder / name).is_file()]
    if missing:
        raise InputError(f"{manifest_path(folder, seed)}: parts missing: {', '.join(missing)}")
    data = b"".join((folder / name).read_bytes() for name in manifest["parts"])
    actual = hashlib.sha256(data).hexdigest()
    if len(data) != manifest["bytes"] or actual != manifest["sha256"]:
        raise InputError(
            f"{manifest_path(folder, seed)}: parts give sha256 {actual} ({len(data)} bytes), "
            f"expected {manifest['sha256']} ({manifest['bytes']} bytes)"
        )
    atomic.write_bytes(checkpoint, data)
    return step


def discard(folder: Path, seed: int) -> bool:
    """Remove a finished seed's handover (its result is committed instead)."""
    files = [manifest_path(folder, seed), *folder.glob(f"seed-{seed}.npz.*")]
    present = [path for path in files if path.is_file()]
    for path in present:
        path.unlink()
    return bool(present)
