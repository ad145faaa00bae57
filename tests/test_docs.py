"""The README and docs/ stay true to the tree: every relative link resolves (a heading
anchor to a heading of that page), and every `make` target, `ganbench` subcommand and
`python -m ganbench...` module they name exists."""

from __future__ import annotations

import argparse
import importlib.util
import re
from pathlib import Path

import pytest

from ganbench.commands import main as commands_main
from ganbench.stages.__main__ import STAGES
from tests.tiny import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
MAKE = re.compile(r"\bmake ([a-z][\w-]*)")
GANBENCH = re.compile(r"\bganbench ([a-z][\w-]*)")
MODULE = re.compile(r"python -m (ganbench[\w.]*)(?: ([a-z_]+))?")


def page_id(path: Path) -> str:
    return str(path.relative_to(REPO))


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", title)))
    return found


def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text()
    return set(re.findall(r"^([a-z][\w-]*):", makefile, flags=re.M))


def ganbench_subcommands() -> set[str]:
    top = commands_main.parser()
    actions = [a for a in top._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def test_the_pages_exist_and_the_readme_is_a_guide():
    assert len(PAGES) > 5
    assert len((REPO / "README.md").read_text().splitlines()) <= 250


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"^[a-z]+:", target):  # http:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or (
            anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)
        ):
            broken.append(target)
    return broken


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_relative_link_resolves(page):
    broken = broken_links(page)
    assert broken == [], f"{page_id(page)}: links that lead nowhere: {broken}"


@pytest.mark.parametrize("page", PAGES, ids=page_id)
def test_every_command_named_exists(page):
    text = page.read_text()
    targets, subcommands = make_targets(), ganbench_subcommands()
    missing = [f"make {t}" for t in MAKE.findall(text) if t not in targets]
    missing += [f"ganbench {c}" for c in GANBENCH.findall(text) if c not in subcommands]
    for module, argument in MODULE.findall(text):
        if importlib.util.find_spec(module) is None:
            missing.append(f"python -m {module}")
        elif module == "ganbench.stages" and argument and argument not in STAGES:
            missing.append(f"python -m ganbench.stages {argument}")
    assert missing == [], f"{page_id(page)}: names what does not exist: {missing}"


def test_the_checks_have_teeth(tmp_path):
    """A broken link, an unknown target and an unknown subcommand are all caught."""
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# There\n")
    page.write_text(
        "[x](nowhere.md) [y](#no-such-heading) [z](there.md#there) [w](#a-heading)\n# A heading\n"
    )
    assert broken_links(page) == ["nowhere.md", "#no-such-heading"]
    assert "no-such-target" not in make_targets() and "repro" in make_targets()
    assert "frobnicate" not in ganbench_subcommands() and "score" in ganbench_subcommands()
