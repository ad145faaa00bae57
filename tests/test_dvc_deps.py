"""dvc.yaml's deps follow its rule: every module whose code can change a stage's numbers is a
dependency of the stage, and no plumbing is. Walks each stage script's imports (including
the imports inside functions, and the family modules the registry loads by name)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from ganbench import params
from ganbench.models import registry
from tests.tiny import REPO

SRC = REPO / "src"
# Modules that cannot change a number: tracking, atomic writes, the CLI wrapper, paths,
# params validation, errors, machine descriptions, the device policy (whether a run may
# proceed, not what it computes), log filtering, rendering, the long-run helpers.
PLUMBING = {
    "ganbench.atomic",
    "ganbench.cli",
    "ganbench.devices",
    "ganbench.quiet",
    "ganbench.errors",
    "ganbench.export",
    "ganbench.layout",
    "ganbench.machine",
    "ganbench.params",
    "ganbench.plots",
    "ganbench.profiles",
    "ganbench.repeats",
    "ganbench.schema",
    "ganbench.stage_outputs",
    "ganbench.tracking",
    "ganbench.study.methods",
}
# a report's content, and the study summary's figure, are their rendering: plots count there
# (both run in seconds, so a figure change costs no long re-run)
RENDERING_STAGES = {"report", "study_summary"}


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


def closure(start: Path, extra: set[str], own_families: set[str]) -> set[str]:
    """Every ganbench module reachable from `start` (plus `extra`), not descending into
    plumbing, nor into families other than the stage's own (the registry imports every
    family's params schema; only the stage's own family can change its numbers)."""
    others = {f for f in registry.FAMILIES if f not in own_families}
    seen: set[str] = set()
    todo = imported(start) | extra
    while todo:
        name = todo.pop()
        if name in seen or name in PLUMBING or module_file(name) is None:
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


ALL_STAGES = stages()


@pytest.mark.parametrize("stage", ALL_STAGES, ids=lambda s: s.addressing)
def test_every_number_determining_module_is_a_dependency(stage):
    script = REPO / stage.cmd.split()[1]
    own = families_of(stage.addressing)
    extra = {registry.family(f).module for f in own}
    modules = closure(script, extra, own)
    if "ganbench.training" in modules:
        # importing the package picks TensorFlow's CPU kernels (ganbench.kernels): part of
        # the numbers of every stage that runs TensorFlow
        modules = closure(script, extra | {"ganbench"}, own)
    if stage.addressing.split("@")[0] in RENDERING_STAGES:
        modules |= {"ganbench.plots"}
    empty_packages = {m for m in modules if module_file(m).stat().st_size < 200}
    missing = sorted(
        str(module_file(m).relative_to(REPO))
        for m in modules - empty_packages
        if not is_covered(module_file(m), code_deps(stage))
    )
    assert missing == [], f"{stage.addressing}: add to its deps in dvc.yaml: {missing}"


@pytest.mark.parametrize("stage", ALL_STAGES, ids=lambda s: s.addressing)
def test_no_plumbing_is_a_dependency(stage):
    plumbing = PLUMBING - ({"ganbench.plots"} if stage.addressing in RENDERING_STAGES else set())
    listed = sorted(name for name in plumbing if is_covered(module_file(name), code_deps(stage)))
    assert listed == [], f"{stage.addressing}: plumbing listed in its deps: {listed}"
    wrappers = [d.def_path for d in stage.deps if d.def_path.startswith("pipeline/")]
    assert wrappers == [], f"{stage.addressing}: the command-line wrapper is a dep"


def test_the_walk_sees_lazy_imports_and_registry_modules():
    """The walk has teeth: it finds an import inside a function, and the family module the
    train stage loads by name."""
    found = closure(REPO / "pipeline" / "train.py", {registry.family("dcgan").module}, {"dcgan"})
    assert "ganbench.train_stage" in found  # imported inside main(), after validation
    assert "ganbench.models.dcgan.model" in found and "ganbench.models.dcgan" in found
    assert not any(m.startswith("ganbench.models.sgan") for m in found)
    assert "ganbench.tracking" not in found
    # the package's own import (which picks the CPU kernels) is walked for TensorFlow stages
    evaluate = REPO / "pipeline" / "evaluate.py"
    assert "ganbench.kernels" not in closure(evaluate, set(), {"dcgan"})
    assert "ganbench.kernels" in closure(evaluate, {"ganbench"}, {"dcgan"})
