"""A long run's seed folders: where each seed of a family keeps its params, checkpoint and
metrics (<workdir>/seed-<s>/, laid out as the pipeline's own folders), and the params it
trains under: the profile applied, the seed set, only the sections its stages read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ganbench.config import params, profiles
from ganbench.longrun import provenance
from ganbench.models import registry
from ganbench.plumbing import atomic, layout


class RepeatError(RuntimeError):
    """A seed's training failed, or its metrics lack the metric to summarise."""


@dataclass(frozen=True)
class Plan:
    gan: str
    seeds: tuple[int, ...]
    workdir: Path
    prepared: Path
    metric: str
    confidence: float
    evaluate: bool = False
    reference: Path = Path("models/reference/classifier.keras")


# What a seed's train and evaluate stages read of params.yaml, besides the family's section:
# a seed's params hold only these, so that a change elsewhere (the study's schema, another
# family) neither invalidates a finished seed nor stops its evaluation.
SEED_SECTIONS = ("data", "reference", "evaluate")


def seed_tree(base: dict, profile: dict, gan: str, seed: int) -> dict:
    """params.yaml with the profile applied, the family's seed(s) set to `seed`, and only
    the sections the seed's stages read."""
    tree = profiles.apply(base, profile)
    override: dict[str, Any] = {"schedule": {"seed": seed}}
    if registry.family(gan).semi_supervised:
        override["labelled"] = {"seed": seed}
    return seed_sections(profiles.apply(tree, {gan: override}), gan)


def seed_sections(tree: dict, gan: str) -> dict:
    """Of a whole params tree, the sections a seed's stages read."""
    kept = {name: tree[name] for name in (*SEED_SECTIONS, gan) if name in tree}
    return provenance.without_stage_only(kept)


def seed_dir(plan: Plan, seed: int) -> Path:
    return seed_folder(plan.workdir, seed)


def seed_folder(workdir: Path, seed: int) -> Path:
    return workdir / f"seed-{seed}"


def metrics_path(plan: Plan, seed: int) -> Path:
    """The seed's train metrics (laid out as the pipeline's: metrics/train/<gan>.json)."""
    return seed_dir(plan, seed) / "metrics" / "train" / f"{plan.gan}.json"


def evaluation_path(plan: Plan, seed: int) -> Path:
    return seed_dir(plan, seed) / "metrics" / f"{plan.gan}.json"


def checkpoint_path(folder: Path, gan: str) -> Path:
    """Where the train stage keeps a seed folder's checkpoint."""
    return folder / layout.path("checkpoints") / gan / "checkpoint.npz"


def finished(plan: Plan, seed: int) -> bool:
    done = evaluation_path(plan, seed) if plan.evaluate else metrics_path(plan, seed)
    return done.is_file()


def seed_params(plan: Plan, params_path: Path, profile_path: Path | None) -> dict[int, str]:
    """Every seed's params file, each checked as a stage would check it, before any work."""
    registry.family(plan.gan)
    base = params.read_mapping(params_path)
    profile = params.read_mapping(profile_path) if profile_path else {}
    source = f"{params_path} + {profile_path}" if profile_path else str(params_path)
    if plan.gan not in base:
        raise params.ParamsError(str(params_path), [f"{plan.gan}: section is missing"])
    texts = {}
    for seed in plan.seeds:
        tree = seed_tree(base, profile, plan.gan, seed)
        params.parse(tree, source)
        texts[seed] = yaml.safe_dump(tree, sort_keys=False)
    return texts


def write_seed_params(plan: Plan, texts: dict[int, str]) -> None:
    """A seed whose params changed loses its finished metrics, so it trains again (its
    checkpoint, tied to the old config, is not resumed either). A folder written with the
    whole of params.yaml keeps its results when the sections a seed reads are the same."""
    atomic.ensure_writable(plan.workdir)
    for seed, text in texts.items():
        path = seed_dir(plan, seed) / "params.yaml"
        if path.is_file() and path.read_text() == text:
            continue
        wanted = yaml.safe_load(text)
        if path.is_file():
            stored = provenance.without_stage_only(yaml.safe_load(path.read_text()) or {})
            if {name: stored.get(name) for name in wanted} != wanted:
                metrics_path(plan, seed).unlink(missing_ok=True)
                evaluation_path(plan, seed).unlink(missing_ok=True)
        atomic.write_bytes(path, text.encode())
