"""The label study under a profile, outside DVC: cells as processes of their own, resumable,
summarised as metrics/study.json is, with long runs made elsewhere merged in."""

from __future__ import annotations

import json

import pytest
import yaml

from ganbench.longrun import study_paper
from ganbench.plumbing import machine
from tests.tiny_pipeline import tiny_raw
from tests.tiny_project import tiny_study_project

pytestmark = pytest.mark.e2e  # cells run as processes


def test_cells_run_once_and_a_run_made_elsewhere_is_merged_at_its_label_count(tmp_path):
    raw = tiny_raw()
    raw["sgan"]["schedule"]["evaluate_every"] = 2
    params_path, prepared, profile = tiny_study_project(
        tmp_path, {"study": {"iterations": {"sgan": {"20": 4}}}}, raw
    )
    elsewhere = tmp_path / "sgan_fm-summary.json"
    elsewhere.write_text(json.dumps({"per_seed": {"0": 0.61, "1": 0.65}}))
    workdir, results = tmp_path / "runs", tmp_path / "results"
    argv = ["run", "--params", str(params_path), "--profile", str(profile), "--gans", "sgan"]
    argv += ["--include", f"sgan_fm:20={elsewhere}", "--workdir", str(workdir)]
    argv += ["--results", str(results), "--prepared", str(prepared), "--jobs", "2"]
    study_paper.main(argv)
    cell = workdir / "cells" / "20-0.json"
    finished_at = cell.stat().st_mtime_ns
    study_paper.main(argv)  # again: nothing to train, the summary written anew
    assert cell.stat().st_mtime_ns == finished_at
    summary = json.loads((results / "summary.json").read_text())
    entry = summary["by_label_count"]["20"]
    assert entry["methods"]["sgan"]["n"] == 2 and entry["methods"]["sgan_fm"]["n"] == 2
    assert entry["methods"]["sgan_fm"]["mean"] == pytest.approx(0.63)
    assert entry["vs_supervised"]["sgan_fm"]["n"] == 2
    assert summary["iterations"] == {"sgan": {"20": 4}}
    assert summary["provenance"]["cells"] == 2 and summary["provenance"]["machine"]["cores"]
    # each cell names the machine that trained it (paper studies span sessions and machines)
    here = machine.one_line(json.loads(cell.read_text())["machine"])
    assert summary["provenance"]["cell_machines"] == {here: 2}
    assert [row["step"] for row in json.loads(cell.read_text())["curves"]["sgan"]] == [0, 2, 4]
    assert (results / "study.png").stat().st_size > 0
    assert summary["complete"] and summary["cells_finished"] == summary["cells_expected"] == 2
    # every finished cell is exported beside the summary, as committed results are
    assert sorted(p.name for p in (results / "cells").iterdir()) == ["20-0.json", "20-1.json"]


def test_a_new_machine_starts_from_the_committed_cells_and_other_params_disown_them(tmp_path):
    raw = tiny_raw()
    params_path, prepared, profile = tiny_study_project(
        tmp_path, {"study": {"iterations": {"sgan": {"20": 2}}}}, raw
    )
    results = tmp_path / "results"
    argv = ["run", "--params", str(params_path), "--profile", str(profile), "--gans", "sgan"]
    argv += ["--results", str(results), "--prepared", str(prepared)]
    study_paper.main([*argv, "--workdir", str(tmp_path / "first")])
    committed = (results / "cells" / "20-0.json").read_text()

    # another machine: an empty workdir, the committed results; no cell is trained again
    study_paper.main([*argv, "--workdir", str(tmp_path / "second")])
    assert (tmp_path / "second" / "cells" / "20-0.json").read_text() == committed
    assert not (tmp_path / "second" / "cells.log").exists()  # no cell process started

    # a change to another family's section leaves the study's params, and its cells, alone
    raw["gan1d"]["target_mean"] = 3.0
    params_path.write_text(yaml.safe_dump(raw))
    study_paper.main([*argv, "--workdir", str(tmp_path / "third")])
    assert not (tmp_path / "third" / "cells.log").exists()

    # other study params: the committed cells are not taken, every cell runs again
    profile.write_text(yaml.safe_dump({"study": {"iterations": {"sgan": {"20": 3}}}}))
    study_paper.main([*argv, "--workdir", str(tmp_path / "fourth")])
    assert (tmp_path / "fourth" / "cells.log").exists()
    rerun = json.loads((results / "cells" / "20-0.json").read_text())
    assert rerun["iterations"] == {"sgan": 3}


def test_cells_finished_before_stamping_are_counted_as_not_recorded():
    stamped = {"machine": {"cpu_model": "CPU X", "cores": 2, "cpu_flags": ["avx2"],
                           "cpu_kind": "avx2"}}  # fmt: skip
    counts = study_paper.cell_machines([stamped, {}, stamped, {}, {}])
    assert counts == {"CPU X, 2 cores, avx2 (avx2)": 2, "not recorded": 3}
