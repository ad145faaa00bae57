"""Atomic outputs: a file or directory appears complete or not at all.

Everything is first written next to its destination (same filesystem, so the final rename is
atomic) and renamed into place only once fully written and flushed. A crash, a full disk or
an interrupt leaves the previous version, never a truncated one.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class OutputError(OSError):
    """An output could not be written; the message names the path."""


# A full disk or quota while a stage fills a staged directory is reported against the output;
# other OS errors inside the block (a missing input, say) keep their own message.
_NO_SPACE = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@contextlib.contextmanager
def staged_file(destination: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces `destination`, on error it is removed."""
    destination = Path(destination)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{destination.name}.", suffix=".tmp", dir=destination.parent
        )
    except OSError as err:
        raise OutputError(f"{destination}: cannot write ({err.strerror})") from err
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o644)  # mkstemp's 0600 would make the published file private
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, destination)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def staged_dir(destination: str | Path) -> Iterator[Path]:
    """Yield a temporary directory; on success it replaces `destination` whole."""
    destination = Path(destination)
    try:
        destination.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
        tmp.chmod(0o755)  # mkdtemp's 0700 would make the published directory private
    except OSError as err:
        raise OutputError(f"{destination}: cannot write ({err.strerror})") from err
    try:
        try:
            yield tmp
        except OSError as err:
            if err.errno not in _NO_SPACE:
                raise
            raise OutputError(f"{destination}: cannot write ({err.strerror})") from err
        old = destination.with_name(f".{destination.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if destination.exists():
            os.replace(destination, old)
        os.replace(tmp, destination)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def ensure_writable(*directories: str | Path) -> None:
    """Fail now, naming the directory, if outputs cannot be created in any of `directories`;
    a long stage calls this before its work so that an unwritable output costs seconds, not
    the whole run."""
    for directory in map(Path, directories):
        if directory.exists() and not directory.is_dir():
            raise OutputError(f"{directory}: cannot write (exists and is not a directory)")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".write-probe.", dir=directory)
            os.close(fd)
            os.unlink(probe)
        except OSError as err:
            raise OutputError(f"{directory}: cannot write ({err.strerror})") from err


def write_with(destination: str | Path, writer: Callable[[Path], Any]) -> None:
    """Call `writer(tmp_path)` and move the result to `destination` atomically."""
    try:
        with staged_file(destination) as tmp:
            writer(tmp)
    except OSError as err:
        if isinstance(err, OutputError):
            raise
        raise OutputError(f"{destination}: cannot write ({err.strerror or err})") from err


def write_bytes(destination: str | Path, data: bytes) -> None:
    write_with(destination, lambda tmp: tmp.write_bytes(data))


def write_json(destination: str | Path, payload: Any) -> None:
    """Write JSON with sorted keys, so identical results give identical bytes."""
    text = json.dumps(payload, indent=2, sort_keys=True) + "\n"
    write_bytes(destination, text.encode())


def _fsync(path: Path) -> None:
    if path.is_file():
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())


def write_csv(
    destination: str | Path, rows: list[dict[str, Any]], empty_header: tuple[str, ...] = ()
) -> None:
    """One dict per row as CSV, every key any row has as the header, in first-seen order
    (the format DVC plots reads); with no rows, just `empty_header`."""
    buffer = io.StringIO()
    fields = list(dict.fromkeys(key for row in rows for key in row)) or list(empty_header)
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_bytes(destination, buffer.getvalue().encode())
