"""The Makefile's paper target hands DVC the profile intact, or nothing at all.

The target runs with a stand-in for `dvc` that records its arguments, so these tests need
neither DVC nor a pipeline run; the real profile is the input.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganbench.config import params, profiles

pytestmark = pytest.mark.e2e  # spawns processes: make test-quick skips it

REPO = Path(__file__).resolve().parents[1]
VENV = Path(sys.executable).parent.parent  # this interpreter's environment
PYTHON_FOUND = "python-on-path.txt"  # where the stand-in dvc notes which `python` it sees


def run_paper_target(tmp_path: Path, profile: Path) -> tuple[subprocess.CompletedProcess, Path]:
    record = tmp_path / "dvc-arguments.txt"
    fake_dvc = tmp_path / "dvc"
    fake_dvc.write_text(
        f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n"
        f"command -v python > {tmp_path / PYTHON_FOUND}\n"
    )
    fake_dvc.chmod(0o755)
    command = [
        "make", "--no-print-directory", "-C", str(REPO), "paper",
        "STAMP=", f"VENV={VENV}", f"DVC={fake_dvc}", f"PAPER_PROFILE={profile}",
    ]  # fmt: skip
    env = {**os.environ, "MAKEFLAGS": ""}
    return subprocess.run(command, capture_output=True, text=True, env=env), record


def test_paper_target_passes_every_override_as_one_argument(tmp_path):
    profile = REPO / "profiles" / "paper.yaml"
    finished, record = run_paper_target(tmp_path, profile)
    assert finished.returncode == 0, finished.stderr
    arguments = record.read_text().splitlines()
    assert arguments[:4] == ["exp", "run", "-n", "paper"]
    flags, values = arguments[4::2], arguments[5::2]
    assert set(flags) == {"-S"}
    assert values == profiles.overrides(params.read_mapping(profile))
    assert any(" " in value for value in values)  # a list value survived whole


def test_paper_target_runs_dvc_with_the_environment_first_on_path(tmp_path):
    """DVC's stages call `python`; it must be the environment's, not the system's."""
    finished, _ = run_paper_target(tmp_path, REPO / "profiles" / "paper.yaml")
    assert finished.returncode == 0, finished.stderr
    found = (tmp_path / PYTHON_FOUND).read_text().strip()
    assert Path(found).parent == VENV / "bin"


def test_paper_target_with_a_bad_profile_stops_before_dvc(tmp_path):
    profile = tmp_path / "broken.yaml"
    profile.write_text("- not\n- a mapping\n")
    finished, record = run_paper_target(tmp_path, profile)
    assert finished.returncode != 0
    assert f"profiles: error: {profile}: top level must be a mapping" in finished.stderr
    assert not record.exists()
