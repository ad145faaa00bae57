"""A long run's result, copied out of its work folders into results/<name>/ so that it stands
on its own in the repository: the summary, each seed's metrics, its curve during training,
its losses, its final sample grid, and where it came from (code commit, params hash, machines, wall
time). Nothing here is recomputed; the copies are the run's own files.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from ganbench.longrun.provenance import params_hash
from ganbench.plumbing import atomic, layout, machine, tracking


def training_commit(run_id: str) -> str | None:
    """The commit the seed trained from, as its MLflow run recorded it."""
    try:
        return tracking.connect().get_run(run_id).data.tags.get("git_commit")
    except Exception:  # the run lives in another store: the commit is unknown here
        return None


def seed_provenance(gan: str, folder: Path) -> dict[str, Any]:
    """Where a seed came from; for a seed restored from committed results
    (committed.restore_seeds), the record committed with it."""
    restored = folder / "provenance.json"
    if restored.is_file():
        return json.loads(restored.read_text())
    train = json.loads((folder / "metrics" / "train" / f"{gan}.json").read_text())
    evaluation_file = folder / "metrics" / f"{gan}.json"
    evaluation = json.loads(evaluation_file.read_text()) if evaluation_file.is_file() else {}
    params_text = (folder / "params.yaml").read_text()
    return {
        "training_commit": train.get("git_commit") or training_commit(train["mlflow_run_id"]),
        "params_sha256": params_hash(params_text),
        "steps": train["steps"],
        "training_seconds": train.get("total_seconds") or train.get("wall_seconds", 0.0),
        "evaluate_seconds": evaluation.get("stage_seconds"),
        "segments": train.get("segments", []),
        "reference_weights_hash": evaluation.get("reference_weights_hash"),
        "mlflow_run_id": train["mlflow_run_id"],
    }


def last_grid(samples: Path) -> Path | None:
    found = sorted(samples.glob("step-*.png"))
    return found[-1] if found else None


def progress_curve(folder: Path, gan: str) -> Path:
    """A run folder's evaluations during training, where its train stage writes them."""
    return folder / layout.path("progress_plots") / f"{gan}.csv"


def write_results(
    gan: str, folders: dict[str, Path], summary: dict[str, Any], results: Path
) -> Path:
    """Replace `results` with the run's summary and, per seed, its metrics, curve, grid and
    provenance; returns the directory."""
    provenance = {
        "exported_with_commit": tracking.git_commit(),
        "exported_on": machine.describe(),
        "seeds": {seed: seed_provenance(gan, folder) for seed, folder in folders.items()},
    }
    provenance["wall_seconds"] = round(
        sum(
            seed["training_seconds"] + (seed["evaluate_seconds"] or 0.0)
            for seed in provenance["seeds"].values()
        ),
        1,
    )
    with atomic.staged_dir(results) as staging:
        atomic.write_json(staging / "summary.json", {**summary, "provenance": provenance})
        for seed, folder in folders.items():
            per_seed = {
                "train": json.loads((folder / "metrics" / "train" / f"{gan}.json").read_text())
            }
            evaluation = folder / "metrics" / f"{gan}.json"
            if evaluation.is_file():
                per_seed["evaluation"] = json.loads(evaluation.read_text())
            atomic.write_json(staging / f"seed-{seed}.json", per_seed)
            curve = progress_curve(folder, gan)
            if curve.is_file():
                shutil.copyfile(curve, staging / f"seed-{seed}-progress.csv")
            losses = folder / layout.path("train_plots") / f"{gan}.csv"
            if losses.is_file():
                shutil.copyfile(losses, staging / f"seed-{seed}-losses.csv")
            grid = last_grid(folder / "models" / gan / "samples")
            if grid is not None:
                shutil.copyfile(grid, staging / f"seed-{seed}-samples.png")
    return results
