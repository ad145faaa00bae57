"""The paper profile as one job graph: a family's seeds and the study's cells run together on
the executor, each family exported as its last seed finishes, nothing run twice, a subset of
seeds never exported over a committed result that holds more, bad specs refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ganbench.config.params import ParamsError
from ganbench.longrun import executor, paper
from tests.tiny_project import tiny_study_project

pytestmark = pytest.mark.e2e  # seeds and cells run as processes on Ray


@pytest.fixture
def graph_project(tmp_path):
    params_path, prepared, profile = tiny_study_project(
        tmp_path,
        {"gan1d": {"schedule": {"iterations": 6}}, "study": {"iterations": {"sgan": {"20": 2}}}},
    )
    spec = tmp_path / "graph.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "families": {
                    "gan1d": {"seeds": [0, 1], "metric": "w1"},
                    "sgan": {"seeds": [0], "metric": "test_accuracy", "by_default": False},
                },
                "study": {"gans": ["sgan"], "include": []},
            }
        )
    )

    def options(**changes) -> paper.GraphOptions:
        base = dict(
            spec=spec,
            params=params_path,
            profile=profile,
            workdir=tmp_path / "runs",
            results_root=tmp_path / "results",
            handover_root=tmp_path / "handover",
            prepared=prepared,
            reference=tmp_path / "no-reference.keras",  # the 1-D GAN is scored without one
        )
        return paper.GraphOptions(**{**base, **changes})

    return tmp_path, options


def test_the_default_graph_runs_every_family_seed_and_study_cell_once(graph_project, capsys):
    tmp_path, options = graph_project
    summaries = paper.run(options())
    assert set(summaries) == {"gan1d", "study"}  # sgan is not in the default graph
    gan1d = json.loads((tmp_path / "results" / "gan1d-paper" / "summary.json").read_text())
    assert gan1d["n"] == 2 and gan1d["metric"] == "w1" and set(gan1d["per_seed"]) == {"0", "1"}
    assert gan1d["provenance"]["seeds"]["1"]["steps"] == 6
    study = json.loads((tmp_path / "results" / "study-paper" / "summary.json").read_text())
    assert study["complete"] and study["cells_finished"] == 2
    # the two seeds, the study's ceiling and its two cells, in one graph
    assert "paper: 5 tasks: " in capsys.readouterr().out


def test_a_second_run_has_nothing_to_do_and_rewrites_no_result(graph_project, capsys):
    tmp_path, options = graph_project
    paper.run(options())
    capsys.readouterr()
    summary = tmp_path / "results" / "gan1d-paper" / "summary.json"
    written = summary.read_bytes()
    cell = tmp_path / "runs" / "study" / "cells" / "20-0.json"
    cell_written = cell.stat().st_mtime_ns
    paper.run(options())
    assert "paper: 0 tasks: none" in capsys.readouterr().out
    assert summary.read_bytes() == written and cell.stat().st_mtime_ns == cell_written


def test_a_subset_of_seeds_is_not_exported_over_a_result_that_holds_more(graph_project, capsys):
    tmp_path, options = graph_project
    paper.run(options(families=("gan1d",)))
    summary = tmp_path / "results" / "gan1d-paper" / "summary.json"
    written = summary.read_bytes()
    paper.run(options(families=("gan1d",), seeds=(0,), workdir=tmp_path / "elsewhere"))
    assert summary.read_bytes() == written
    assert "also holds seeds [1]; not exported over" in capsys.readouterr().out


def test_unknown_families_and_bad_specs_are_refused_before_any_work(graph_project):
    tmp_path, options = graph_project
    with pytest.raises(ParamsError, match=r"--families.*'wgann'"):
        paper.run(options(families=("wgann",)))
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"families": {"gan1d": {"seeds": [-1], "metric": "w1"}}}))
    with pytest.raises(ParamsError, match=r"families.gan1d.seeds: a list of integers >= 0"):
        paper.run(options(spec=bad))
    assert not (tmp_path / "runs").exists()


def test_the_repository_spec_names_registered_families_with_their_seeds():
    spec = paper.read_spec(paper.GRAPH_SPEC)
    assert spec.default_names()[-1] == paper.STUDY
    assert all(len(entry.seeds) >= 3 for entry in spec.families.values())


def test_resumed_tasks_start_first_then_by_expected_work():
    def task(name: str, cost: float, resumed: bool = False) -> executor.Task:
        return executor.Task(name, ("true",), Path("log"), cost, resumed)

    tasks = [task("dcgan 1", 3.5), task("wgan 1", 9.5), task("acgan 1", 1.5, resumed=True)]
    tasks += [task("wgan 0", 5.0, resumed=True), task("acgan 2", 2.0)]

    def names(order: list[executor.Task]) -> list[str]:
        return [t.name for t in order]

    longest = executor.start_order(tasks)
    assert names(longest) == ["wgan 0", "acgan 1", "wgan 1", "dcgan 1", "acgan 2"]
    shortest = executor.start_order(tasks, shortest_first=True)
    assert names(shortest) == ["acgan 1", "wgan 0", "acgan 2", "dcgan 1", "wgan 1"]


def test_without_an_address_ray_starts_its_own_instance(monkeypatch):
    """Never the latest Ray started on this machine (a long run's graph): its end would take
    this command's tasks down."""
    import ray

    asked = {}
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: asked.update(kwargs))
    assert executor.start_ray(None) is True
    assert asked["address"] == "local" and asked["include_dashboard"] is False
    monkeypatch.setenv("RAY_ADDRESS", "10.0.0.1:6379")
    executor.start_ray(None)
    assert asked["address"] == "10.0.0.1:6379"
    executor.start_ray("ray://head:10001")
    assert asked["address"] == "ray://head:10001"
