"""The folders of src/ganbench are layers and imports run downwards only (docs/layout.md): a
module may import its own layer and the layers below it, never one above, wherever in the
file the import stands (inside functions too)."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.tiny import REPO

PACKAGE = REPO / "src" / "ganbench"
# bottom first; folders on one line are peers
LAYERS = (
    ("plumbing",),
    ("data", "evaluation"),
    ("models",),
    ("config",),
    ("study", "scoring"),
    ("training", "reporting"),
    ("stages",),
    ("longrun",),
    ("commands",),
)
LEVEL = {folder: level for level, folders in enumerate(LAYERS) for folder in folders}


def imported_folders(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "ganbench" and len(parts) > 1 and parts[1] in LEVEL:
                found.add(parts[1])
    return found


def test_every_folder_has_a_layer():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(LEVEL)


def test_no_import_runs_up_a_layer():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if len(parts) < 2:  # the package's own __init__ picks the CPU kernels first
            continue
        for folder in imported_folders(path):
            if LEVEL[folder] > LEVEL[parts[0]]:
                upward.append(f"{path.relative_to(PACKAGE)} -> {folder}/")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "base.py"
    module.write_text("def draw():\n    from ganbench.reporting import plots\n")
    assert imported_folders(module) == {"reporting"}
