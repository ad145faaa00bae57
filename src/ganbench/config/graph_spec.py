"""The paper graph's spec (profiles/graphs/paper.yaml): each family's planned training seeds
and headline figure, and the label study. `ganbench paper run` runs it; the report reads
it to say how many of a family's planned seeds are in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ganbench.config import params
from ganbench.models import registry

GRAPH_SPEC = Path("profiles/graphs/paper.yaml")
STUDY = "study"  # the name `--families` knows the label study by


@dataclass(frozen=True)
class FamilyEntry:
    seeds: tuple[int, ...]
    metric: str
    by_default: bool = True


@dataclass(frozen=True)
class GraphSpec:
    """profiles/graphs/paper.yaml, checked."""

    families: dict[str, FamilyEntry]
    study_gans: tuple[str, ...]
    study_include: tuple[str, ...]

    def default_names(self) -> list[str]:
        return [gan for gan, entry in self.families.items() if entry.by_default] + [STUDY]


def read_spec(path: Path) -> GraphSpec:
    """The graph's spec, every field checked, each error naming the field."""
    tree = params.read_mapping(path)
    where = str(path)
    families = tree.get("families")
    if not isinstance(families, dict) or not families:
        raise params.ParamsError(where, ["families: must be a mapping of family -> entry"])
    entries = {}
    for gan, entry in families.items():
        if gan not in registry.FAMILIES:
            raise params.ParamsError(where, [f"families.{gan}: not a registered family"])
        seeds = entry.get("seeds") if isinstance(entry, dict) else None
        if not isinstance(seeds, list) or not all(isinstance(s, int) and s >= 0 for s in seeds):
            raise params.ParamsError(where, [f"families.{gan}.seeds: a list of integers >= 0"])
        if not isinstance(entry.get("metric"), str):
            raise params.ParamsError(where, [f"families.{gan}.metric: a metric name"])
        entries[gan] = FamilyEntry(tuple(seeds), entry["metric"], bool(entry.get("by_default", 1)))
    study = tree.get("study") or {}
    gans, include = study.get("gans", []), study.get("include", [])
    if not isinstance(gans, list) or not isinstance(include, list):
        raise params.ParamsError(where, ["study: gans and include must be lists"])
    return GraphSpec(entries, tuple(gans), tuple(include))
