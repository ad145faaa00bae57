"""What a long run finds already committed under results/: seeds and study cells finished
under the very params a run has now are put back into its work folder instead of trained
again (a new machine starts from what was committed), and an export is logged to MLflow
once per store."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from ganbench.longrun import export
from ganbench.longrun.provenance import params_hash, trained_under
from ganbench.longrun.seeds import Plan, evaluation_path, finished, metrics_path, seed_dir
from ganbench.plumbing import atomic, tracking


def committed_summary(results: Path) -> dict | None:
    """The committed export's summary.json, or None when there is none."""
    path = results / "summary.json"
    return json.loads(path.read_text()) if path.is_file() else None


def restore_seeds(plan: Plan, texts: dict[int, str], results: Path) -> list[int]:
    """Seeds that `results` (an exported result, as committed) holds finished under the very
    params each seed has now, put back into their folders as if trained here: a new machine
    does not train them again. Their provenance (commit, machine, wall time) travels along.
    Returns the seeds restored."""
    summary = committed_summary(results)
    if summary is None:
        return []
    committed = summary.get("provenance", {}).get("seeds", {})
    restored = []
    for seed in plan.seeds:
        record, stored = committed.get(str(seed)), results / f"seed-{seed}.json"
        if finished(plan, seed) or record is None or not stored.is_file():
            continue
        same_params = trained_under(record, texts[seed])
        per_seed = json.loads(stored.read_text())
        done = per_seed["train"].get("steps") == summary.get("schedule_steps")
        if not (same_params and done) or (plan.evaluate and "evaluation" not in per_seed):
            continue
        folder = seed_dir(plan, seed)
        atomic.write_json(folder / "provenance.json", record)
        if plan.evaluate:
            atomic.write_json(evaluation_path(plan, seed), per_seed["evaluation"])
        curve = results / f"seed-{seed}-progress.csv"
        if curve.is_file():
            restored_curve = export.progress_curve(folder, plan.gan)
            restored_curve.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(curve, restored_curve)
        grid = results / f"seed-{seed}-samples.png"
        if grid.is_file():
            samples = folder / "models" / plan.gan / "samples"
            samples.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(grid, samples / f"step-{per_seed['train']['steps']:06d}.png")
        atomic.write_json(metrics_path(plan, seed), per_seed["train"])  # last: it marks done
        restored.append(seed)
    return restored


def holds_exactly(results: Path, plan: Plan, texts: dict[int, str]) -> bool:
    """Whether the committed `results` are a finished export of exactly these seeds, each
    under the params it has now."""
    summary = committed_summary(results)
    if summary is None:
        return False
    committed = summary.get("provenance", {}).get("seeds", {})
    return (
        summary.get("finished", True)
        and set(committed) == {str(seed) for seed in plan.seeds}
        and all(trained_under(committed[str(seed)], texts[seed]) for seed in plan.seeds)
    )


def seeds_beyond(results: Path, plan: Plan) -> list[int]:
    """Seeds the committed export holds that `plan` does not: exporting the plan's seeds
    over it would drop them."""
    summary = committed_summary(results) or {}
    held = {int(seed) for seed in summary.get("provenance", {}).get("seeds", {})}
    return sorted(held - set(plan.seeds))


# The summary run of an export carries its summary.json's digest, so that the committed
# results are logged once per MLflow store, however often the paper command is re-run.
EXPORT_TAG = "ganbench.export_sha256"


def export_digest(results: Path) -> str:
    return hashlib.sha256((results / "summary.json").read_bytes()).hexdigest()


def logged_here(digest: str) -> bool:
    """Whether this MLflow store already holds the summary run of the export with `digest`."""
    return bool(tracking.find_runs("train", f"tags.`{EXPORT_TAG}` = '{digest}'"))


def restore_cells(workdir: Path, results: Path, tree_text: str) -> list[str]:
    """Study cells already exported to `results` under the same params, copied back into
    the workdir; none when the results were made under other params."""
    summary = committed_summary(results)
    made_under = (summary or {}).get("provenance", {}).get("params_sha256")
    if made_under != params_hash(tree_text):
        return []
    restored = []
    (workdir / "cells").mkdir(parents=True, exist_ok=True)
    for cell in sorted((results / "cells").glob("*.json")):
        target = workdir / "cells" / cell.name
        if not target.is_file():
            shutil.copyfile(cell, target)
            restored.append(cell.stem)
    return restored
