"""Where the stages read and write: the `layout` block of dvc.yaml's `vars`, the one place
the pipeline's paths are written. dvc.yaml's commands, deps and outs use the same names
(`${layout.models}`), and the stages take their default paths from here, so the two cannot
disagree. Paths are relative to the repository root, where DVC runs every stage.
"""

from __future__ import annotations

import functools
from dataclasses import field
from pathlib import Path
from typing import Any

import yaml

DVC_FILE = Path(__file__).resolve().parents[3] / "dvc.yaml"


@functools.cache
def read(dvc_file: Path = DVC_FILE) -> dict[str, str]:
    """The layout mapping (name -> relative path) of dvc.yaml's vars."""
    tree = yaml.safe_load(dvc_file.read_text())
    for entry in tree.get("vars", []):
        if isinstance(entry, dict) and "layout" in entry:
            return dict(entry["layout"])
    raise KeyError(f"{dvc_file}: no `layout` mapping under vars")


def path(name: str) -> Path:
    """One named path of the layout, e.g. path("models") -> models."""
    return Path(read()[name])


def default_path(name: str) -> Any:
    """A dataclass field whose default is the named path, read when the instance is made
    (so a test's own dvc.yaml layout is seen): `models: Path = layout.default_path("models")`."""
    return field(default_factory=lambda: path(name))
