"""The committed long-run results in this MLflow store: every results/<gan>-paper export and
the paper-profile label study, logged once per store, so that a fresh clone's MLflow UI
compares the benchmark's real findings and not only the token runs `dvc repro` makes.

    ganbench results log            # `make repro` runs it after `dvc repro`

An export is logged as a run of the `train` experiment named `<gan>-paper (committed)`: the
headline figure's mean and interval, every evaluation figure's mean and per-seed values,
and each seed's curve during training as metric history (`progress_fid_seed_0`, ...). The
study is a parent run `study-paper (committed)` in the `study` experiment with one nested
run per cell (each method's accuracy, SGAN's accuracy curve). Every run is tagged as
imported, with the machines that trained it and the commit that exported it. A run carries
the digest of the summary it came from; an export already in the store (imported, or
logged by the run that made it) is not logged again, so running this twice adds nothing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from ganbench.longrun import committed
from ganbench.plumbing import machine, tracking
from ganbench.reporting import paper_results

IMPORTED_TAG = "ganbench.imported_from"
STUDY = "study-paper"


def numbers(mapping: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in mapping.items() if isinstance(v, int | float)}


def family_metrics(summary: dict[str, Any]) -> dict[str, float]:
    """The headline figure's mean and interval, and every figure's mean and per-seed values."""
    metric = summary["metric"]
    values = {
        f"{metric}_{key}": summary[key]
        for key in ("mean", "std", "ci_low", "ci_high")
        if summary.get(key) is not None
    }
    values |= {f"{metric}_seed_{seed}": v for seed, v in summary["per_seed"].items()}
    for key, entry in (summary.get("metrics") or {}).items():
        if entry.get("mean") is not None:
            values[f"{key}_mean"] = entry["mean"]
        values |= {f"{key}_seed_{seed}": v for seed, v in entry["per_seed"].items()}
    return numbers(values)


def log_curves(tracked: tracking.Run, folder: Path) -> None:
    for path in sorted(folder.glob("seed-*-progress.csv")):
        seed = path.name.removeprefix("seed-").split("-")[0]
        with path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                step = int(float(row.pop("step")))
                values = {f"progress_{key}_seed_{seed}": float(v) for key, v in row.items() if v}
                tracked.log_metrics(values, step=step)


def log_family(folder: Path) -> str | None:
    """Log one export unless this store has it; returns the new run's id."""
    digest = committed.export_digest(folder)
    if committed.logged_here(digest):
        return None
    summary = json.loads((folder / "summary.json").read_text())
    provenance = summary.get("provenance") or {}
    tags = {
        "gan": summary["gan"],
        IMPORTED_TAG: str(folder),
        "ganbench.trained_on": paper_results.trained_on(provenance) or "not recorded",
        "ganbench.exported_with_commit": provenance.get("exported_with_commit", "not recorded"),
    }
    with tracking.run("train", f"{folder.name} (committed)", "import", tags=tags) as tracked:
        tracked.log_params(
            {
                "profile": summary.get("profile"),
                "metric": summary["metric"],
                "seeds": ",".join(summary["per_seed"]),
                "finished": summary.get("finished", True),
            }
        )
        tracked.log_metrics(family_metrics(summary))
        log_curves(tracked, folder)
    tracking.tag_finished(tracked.run_id, {committed.EXPORT_TAG: digest})
    return tracked.run_id


def log_study(folder: Path) -> str | None:
    """Log the paper study (parent and a nested run per cell) unless this store has it."""
    digest = committed.export_digest(folder)
    if tracking.find_runs("study", f"tags.`{committed.EXPORT_TAG}` = '{digest}'"):
        return None
    summary = json.loads((folder / "summary.json").read_text())
    provenance = summary.get("provenance") or {}
    tags = {
        IMPORTED_TAG: str(folder),
        "ganbench.exported_with_commit": provenance.get("git_commit", "not recorded"),
    }
    with tracking.run("study", f"{STUDY} (committed)", "import", tags=tags) as parent:
        parent.log_metrics(
            {
                f"{method}_mean_{count}": entry["methods"][method]["mean"]
                for count, entry in summary["by_label_count"].items()
                for method in entry["methods"]
            }
        )
        for path in sorted(folder.glob("cells/*.json")):
            cell = json.loads(path.read_text())
            trained = machine.one_line(cell["machine"]) if "machine" in cell else "not recorded"
            cell_tags = {IMPORTED_TAG: str(path), "ganbench.trained_on": trained}
            name = f"cell {cell['labels']}-{cell['seed']}"
            with tracking.run("study", name, "import", nested=True, tags=cell_tags) as child:
                child.log_params({"labels": cell["labels"], "seed": cell["seed"]})
                child.log_metrics(numbers(cell["accuracy"]))
                for gan, rows in (cell.get("curves") or {}).items():
                    for row in rows:
                        point = {f"{gan}_{k}": v for k, v in row.items() if k != "step"}
                        child.log_metrics(numbers(point), step=int(row["step"]))
    tracking.tag_finished(parent.run_id, {committed.EXPORT_TAG: digest})
    return parent.run_id


def log_all(results: Path) -> list[str]:
    """Every committed export and the paper study, each once; returns what was logged."""
    logged = []
    for gan in paper_results.found(results):
        if log_family(results / f"{gan}-paper"):
            logged.append(f"{gan}-paper")
    if (results / STUDY / "summary.json").is_file() and log_study(results / STUDY):
        logged.append(STUDY)
    return logged
