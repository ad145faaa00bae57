"""The committed long-run results in a fresh MLflow store: each export and the paper study
logged once, tagged as imported, with curves and the study's cells nested."""

from __future__ import annotations

import json

from ganbench.commands import main
from ganbench.longrun import committed, imported
from ganbench.plumbing import tracking


def write(path, payload) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload) if not isinstance(payload, str) else payload)


def committed_results(root):
    family = root / "wgan-paper"
    segment = {"from_step": 0, "to_step": 40, "seconds": 3600, "machine": "Some CPU (avx2)"}
    write(
        family / "summary.json",
        {
            "gan": "wgan", "metric": "fid", "profile": "profiles/paper.yaml",
            "per_seed": {"0": 17.0, "1": 19.0}, "mean": 18.0, "std": 1.4, "ci_low": 5.3,
            "ci_high": 30.7,
            "metrics": {"kid": {"per_seed": {"0": 4.0, "1": 5.0}, "mean": 4.5}},
            "provenance": {
                "exported_with_commit": "abc123", "seeds": {"0": {"segments": [segment]}}
            },
        },
    )  # fmt: skip
    write(family / "seed-1-progress.csv", "step,fid\n0,700.5\n20,90.25\n40,19.0\n")
    study = root / "study-paper"
    write(
        study / "summary.json",
        {
            "by_label_count": {
                "20": {"methods": {"sgan": {"mean": 0.7}, "supervised": {"mean": 0.6}}}
            },
            "provenance": {"git_commit": "def456"},
        },
    )  # fmt: skip
    for seed in (0, 1):
        cell = {
            "labels": 20, "seed": seed, "accuracy": {"sgan": 0.7, "supervised": 0.6},
            "curves": {"sgan": [{"step": 0, "accuracy": 0.1}, {"step": 8, "accuracy": 0.7}]},
        }  # fmt: skip
        write(study / "cells" / f"20-{seed}.json", cell)
    return root


def test_committed_results_are_logged_once_per_store_with_curves_and_cells(tmp_path, capsys):
    results = committed_results(tmp_path / "results")
    assert imported.log_all(results) == ["wgan-paper", "study-paper"]
    assert imported.log_all(results) == []  # a second time adds nothing

    (run,) = tracking.find_runs("train", f"tags.`{imported.IMPORTED_TAG}` LIKE '%wgan-paper'")
    assert run.info.run_name == "wgan-paper (committed)" and run.info.status == "FINISHED"
    assert run.data.metrics["fid_mean"] == 18.0 and run.data.metrics["kid_seed_1"] == 5.0
    assert run.data.tags["ganbench.trained_on"] == "Some CPU (avx2) 1.0 h, steps 0–40"
    assert run.data.tags["ganbench.exported_with_commit"] == "abc123"
    digest = committed.export_digest(results / "wgan-paper")
    assert committed.logged_here(digest)  # so `repeats run` does not log it again either
    history = tracking.connect().get_metric_history(run.info.run_id, "progress_fid_seed_1")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == [
        (0, 700.5), (20, 90.25), (40, 19.0)
    ]  # fmt: skip

    runs = tracking.find_runs("study")
    (parent,) = [r for r in runs if r.info.run_name == "study-paper (committed)"]
    cells = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == parent.info.run_id]
    assert sorted(r.info.run_name for r in cells) == ["cell 20-0", "cell 20-1"]
    assert parent.data.metrics["sgan_mean_20"] == 0.7
    curve = tracking.connect().get_metric_history(cells[0].info.run_id, "sgan_accuracy")
    assert sorted((m.step, m.value) for m in curve) == [(0, 0.1), (8, 0.7)]

    main.main(["results", "log", "--results", str(results)])
    assert "every committed result is in this MLflow store already" in capsys.readouterr().out
