"""Reading what an earlier stage wrote, with an error that names the stage to run when the
file is missing (evaluate before train, report before study, ...)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def require(path: Path, stage: str) -> Path:
    """`path` if it exists, else FileNotFoundError naming the stage that writes it."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: not found; run the {stage} stage (`dvc repro {stage}`)")
    return path


def read_json(path: Path, stage: str) -> Any:
    return json.loads(require(path, stage).read_text())
