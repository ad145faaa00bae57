"""Strict reader and writer of the IDX format (the MNIST file format).

Strict on purpose: a wrong magic number, an unexpected rank or a length that disagrees with
the header means the file is not what the pipeline thinks it is, and silently reshaping it
would train on garbage.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from ganbench.plumbing.errors import InputError

UBYTE = 0x08
IMAGES_RANK = 3
LABELS_RANK = 1


class IdxError(InputError):
    """An IDX file is malformed; the message names the file and what was expected."""


def read_bytes(path: str | Path) -> bytes:
    """File contents, transparently gunzipped when the name ends in .gz."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise IdxError(f"{path}: cannot read ({err.strerror})") from err
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise IdxError(f"{path}: corrupt gzip stream ({err})") from err


def parse(data: bytes, rank: int, name: str) -> np.ndarray:
    """Parse an unsigned-byte IDX payload of the given rank; `name` is used in errors."""
    if len(data) < 4:
        raise IdxError(f"{name}: truncated, {len(data)} bytes is shorter than the IDX header")
    zero1, zero2, dtype, ndim = data[:4]
    magic = int.from_bytes(data[:4], "big")
    expected_magic = (UBYTE << 8) | rank
    if zero1 != 0 or zero2 != 0 or dtype != UBYTE or ndim != rank:
        raise IdxError(
            f"{name}: bad magic number 0x{magic:08x}, expected 0x{expected_magic:08x} "
            f"(unsigned bytes, rank {rank})"
        )
    header_len = 4 + 4 * rank
    if len(data) < header_len:
        raise IdxError(f"{name}: truncated header, {len(data)} of {header_len} bytes")
    dims = struct.unpack(f">{rank}I", data[4:header_len])
    if any(d == 0 for d in dims):
        raise IdxError(f"{name}: bad dimensions {dims}, every dimension must be positive")
    expected_len = header_len + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected_len:
        kind = "truncated" if len(data) < expected_len else "trailing bytes"
        raise IdxError(
            f"{name}: {kind}, {len(data)} bytes but the header {dims} implies {expected_len}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims).copy()


def read(path: str | Path, rank: int) -> np.ndarray:
    """Read an IDX file (raw or .gz) of the given rank as a uint8 array."""
    return parse(read_bytes(path), rank, str(path))


def encode(array: np.ndarray) -> bytes:
    """Encode a uint8 array as IDX bytes (used by tests and fixtures)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, UBYTE, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.tobytes()


def write(path: str | Path, array: np.ndarray) -> None:
    """Write `array` as an IDX file, gzipped when the name ends in .gz."""
    path = Path(path)
    payload = encode(array)
    path.write_bytes(gzip.compress(payload, mtime=0) if path.suffix == ".gz" else payload)
