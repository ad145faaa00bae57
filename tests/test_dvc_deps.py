"""dvc.yaml's deps follow its rule: every module whose code can change a stage's numbers is a
dependency of the stage, and no plumbing is. Walks each stage script's imports (including
the imports inside functions, and the family modules the registry loads by name)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import yaml

from ganbench.config import params
from ganbench.models import registry
from tests.tiny import REPO

SRC = REPO / "src"
# The rule is about folders: code under these packages cannot change a number (tracking,
# atomic writes, the command lines, paths, errors, machine descriptions, the device policy,
# log filtering, pictures of samples, the long-run orchestration, the rendering of reports),
# and params validation (config/): the values it validates are the stages' DVC params.
PLUMBING_PACKAGES = (
    "ganbench.plumbing",
    "ganbench.config",
    "ganbench.longrun",
    "ganbench.commands",
    "ganbench.reporting",
)
# two modules inside number-determining folders that are plumbing all the same: the stages'
# command line, and the study's names of methods and cell files
PLUMBING_MODULES = {"ganbench.stages.__main__", "ganbench.study.methods"}
# a report's content, and the study summary's figure, are their rendering: the reporting
# package counts there (both run in seconds, so a figure change costs no long re-run)
RENDERING_STAGES = {"report", "study_summary"}


def is_plumbing(name: str, stage: str = "") -> bool:
    packages = PLUMBING_PACKAGES
    if stage.split("@")[0] in RENDERING_STAGES:
        packages = tuple(p for p in packages if p != "ganbench.reporting")
    in_package = any(name == p or name.startswith(p + ".") for p in packages)
    return in_package or name in PLUMBING_MODULES


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(SRC).with_suffix("").parts)


def module_file(name: str) -> Path | None:
    base = SRC.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported(path: Path) -> set[str]:
    """ganbench modules a file imports anywhere in it (`from a import b` counts b when b
    is a module)."""
    found = set()
    for node in walk_runtime(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("ganbench")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ganbench"):
            if node.module != "ganbench":  # the root package: see the TensorFlow rule
                found.add(node.module)
            found |= {
                f"{node.module}.{a.name}"
                for a in node.names
                if module_file(f"{node.module}.{a.name}") is not None
            }
    return found


def walk_runtime(tree: ast.AST):
    """Every node, but those of `if TYPE_CHECKING:` blocks (imports for annotations only)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            is_type_checking = isinstance(child, ast.If) and getattr(child.test, "id", "") == (
                "TYPE_CHECKING"
            )
            if not is_type_checking:
                todo.append(child)


def closure(start: Path, extra: set[str], own_families: set[str], stage: str = "") -> set[str]:
    """Every ganbench module reachable from `start` (plus `extra`), not descending into
    plumbing, nor into families other than the stage's own (the registry imports every
    family's params schema; only the stage's own family can change its numbers)."""
    others = {f for f in registry.FAMILIES if f not in own_families}
    seen: set[str] = set()
    todo = imported(start) | extra
    while todo:
        name = todo.pop()
        if name in seen or is_plumbing(name, stage) or module_file(name) is None:
            continue
        if any(name.startswith(f"ganbench.models.{f}") for f in others):
            continue
        seen.add(name)
        todo |= imported(module_file(name))
    return seen


def stages() -> list:
    from dvc.repo import Repo

    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        return list(Repo(str(REPO)).index.stages)
    finally:
        os.chdir(cwd)


def families_of(stage_name: str) -> set[str]:
    """The families whose module a stage loads by name."""
    config = params.load(REPO / "params.yaml")
    if "@" in stage_name and stage_name.split("@")[1] in registry.FAMILIES:
        return {stage_name.split("@")[1]}
    if stage_name.startswith("study@"):
        return set(config.section("study").iterations)
    if stage_name == "study_ceiling":
        return {registry.with_supervised_baseline().name}
    return set()


def is_covered(path: Path, deps: list[str]) -> bool:
    relative = path.relative_to(REPO).as_posix()
    return any(relative == d or relative.startswith(d.rstrip("/") + "/") for d in deps)


def code_deps(stage) -> list[str]:
    return [d.def_path for d in stage.deps if d.def_path.startswith("src/")]


def stage_module(stage) -> Path:
    """The module a stage's command runs: `python -m ganbench.stages <name> ...` runs
    ganbench.stages.<name> through the stages' command line (plumbing)."""
    words = stage.cmd.split()
    assert words[:3] == ["python", "-m", "ganbench.stages"], stage.cmd
    return SRC / "ganbench" / "stages" / f"{words[3]}.py"


def every_module() -> list[str]:
    return sorted(module_name(path) for path in (SRC / "ganbench").rglob("*.py"))


ALL_STAGES = stages()


@pytest.mark.parametrize("stage", ALL_STAGES, ids=lambda s: s.addressing)
def test_every_number_determining_module_is_a_dependency(stage):
    script = stage_module(stage)
    own = families_of(stage.addressing)
    name = stage.addressing
    extra = {registry.family(f).module for f in own} | {module_name(script)}
    modules = closure(script, extra, own, name)
    if "ganbench.training.loop" in modules:
        # importing the package picks TensorFlow's CPU kernels (ganbench.training.kernels):
        # part of the numbers of every stage that runs TensorFlow
        modules = closure(script, extra | {"ganbench"}, own, name)
    empty_packages = {m for m in modules if module_file(m).stat().st_size < 200}
    missing = sorted(
        str(module_file(m).relative_to(REPO))
        for m in modules - empty_packages
        if not is_covered(module_file(m), code_deps(stage))
    )
    assert missing == [], f"{stage.addressing}: add to its deps in dvc.yaml: {missing}"


@pytest.mark.parametrize("stage", ALL_STAGES, ids=lambda s: s.addressing)
def test_no_plumbing_is_a_dependency(stage):
    plumbing = [name for name in every_module() if is_plumbing(name, stage.addressing)]
    listed = sorted(name for name in plumbing if is_covered(module_file(name), code_deps(stage)))
    assert listed == [], f"{stage.addressing}: plumbing listed in its deps: {listed}"


def test_the_walk_sees_lazy_imports_and_registry_modules():
    """The walk has teeth: it finds an import inside a function, and the family module the
    train stage loads by name."""
    command_line = SRC / "ganbench" / "stages" / "__main__.py"
    found = closure(command_line, {registry.family("dcgan").module}, {"dcgan"})
    assert "ganbench.stages.train" in found  # imported inside train(), after validation
    assert "ganbench.models.dcgan.model" in found and "ganbench.models.dcgan" in found
    assert not any(m.startswith("ganbench.models.sgan") for m in found)
    assert "ganbench.plumbing.tracking" not in found
    # the package's own import (which picks the CPU kernels) is walked for TensorFlow stages
    evaluate = SRC / "ganbench" / "stages" / "evaluate.py"
    assert "ganbench.training.kernels" not in closure(evaluate, set(), {"dcgan"})
    assert "ganbench.training.kernels" in closure(evaluate, {"ganbench"}, {"dcgan"})


def test_the_family_list_is_written_once_and_is_the_registrys():
    """dvc.yaml names the families once (vars: families), the foreach stages run over it,
    and it is the registry's list: a family added to one and not the other fails here."""
    config = yaml.safe_load((REPO / "dvc.yaml").read_text())
    listed = next(v["families"] for v in config["vars"] if isinstance(v, dict) and "families" in v)
    assert listed == list(registry.FAMILIES)
    foreach = {name: s["foreach"] for name, s in config["stages"].items() if "foreach" in s}
    assert foreach == {"train": "${families}", "evaluate": "${families}"}
