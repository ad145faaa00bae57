"""Run the real DVC pipeline in a throwaway copy of this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
COPIED = (
    "dvc.yaml",
    "params.yaml",
    "src",
    "references",
    ".dvc/config",
    ".dvcignore",
)


def make_copy(destination: Path, data_changes: dict | None = None) -> Path:
    """Copy what `dvc repro` needs, `git init` it, and apply changes to the data section."""
    for name in COPIED:
        source = REPO / name
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    if data_changes:
        params_path = destination / "params.yaml"
        raw = yaml.safe_load(params_path.read_text())
        raw["data"].update(data_changes)
        params_path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return destination


def dvc(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run dvc from this interpreter's environment, with its bin dir first on PATH."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(repo / "src")
    return subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
