"""`ganbench score ... --submit NAME`: an outside generator's score as an entry of the
report's leaderboard, in results/external/NAME/score.json with what makes it checkable:
the reference network's hash, N, the sample seeds, FID∞, the exact command, the scored
file's SHA-256 and the date. Commit the folder; the report lists it beside the families,
marked as an outside entry."""

from __future__ import annotations

import datetime
import hashlib
import re
import shlex
from pathlib import Path
from typing import Any

from ganbench.plumbing import atomic, machine
from ganbench.plumbing.errors import InputError

EXTERNAL = Path("results/external")
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def checked_name(name: str) -> str:
    if not NAME.fullmatch(name):
        raise InputError(
            f"--submit {name!r}: expected a name of letters, digits, '.', '_' and '-' "
            "(at most 64, starting with a letter or digit)"
        )
    return name


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def portable(argv: list[str], scored: Path) -> list[str]:
    """The command as another machine would type it: the scored file by its name, and no
    --out (where the scorer kept its own copy of the metrics says nothing)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--out":
            skip = True
        elif not arg.startswith("--out="):
            kept.append(scored.name if arg == str(scored) else arg)
    return kept


def submit(
    name: str, metrics: dict[str, Any], scored: Path, argv: list[str], root: Path = EXTERNAL
) -> Path:
    """Write the entry (replacing an earlier one of the same name); returns its file."""
    entry = {
        **metrics,
        "name": checked_name(name),
        "outside_entry": True,
        "command": "ganbench " + shlex.join(portable(argv, scored)),
        "input": scored.name,  # by name: where it lay on the scorer's machine says nothing
        "input_sha256": sha256_of(scored),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "scored_on": machine.describe(),
    }
    path = root / name / "score.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_json(path, entry)
    return path
