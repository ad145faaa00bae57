"""The study figure of an unfinished study still shows the intervals it has: a count with
seeds enough gets its bar in both panels, a count with one seed gets none."""

from __future__ import annotations

from pathlib import Path

import matplotlib.axes
import numpy as np
import pytest

from ganbench.reporting import plots


def row(mean: float, ci: tuple[float, float] | None) -> dict:
    low, high = ci if ci else (None, None)
    return {"mean": mean, "ci_low": low, "ci_high": high}


def difference(mean: float, ci: tuple[float, float] | None) -> dict:
    low, high = ci if ci else (None, None)
    return {"mean_difference": mean, "ci_low": low, "ci_high": high}


def partial_table() -> dict:
    """20 labels with two seeds (intervals), 100 labels with one (none)."""
    return {
        "20": {
            "methods": {"sgan": row(0.82, (0.70, 0.94)), "supervised": row(0.57, (0.50, 0.64))},
            "vs_supervised": {"sgan": difference(0.25, (0.10, 0.40))},
        },
        "100": {
            "methods": {"sgan": row(0.97, None), "supervised": row(0.82, None)},
            "vs_supervised": {"sgan": difference(0.15, None)},
        },
    }


def test_an_unfinished_study_draws_the_intervals_it_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: dict[str, list] = {"vlines": [], "errorbar": []}
    for name in drawn:
        original = getattr(matplotlib.axes.Axes, name)

        def record(self, *args, _name=name, _original=original, **kwargs):
            drawn[_name].append((args, kwargs))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(matplotlib.axes.Axes, name, record)
    path = tmp_path / "study.png"
    labels = {"sgan": "SGAN", "supervised": "supervised"}
    plots.study_figure(partial_table(), labels, 0.99, 0.95, path, "partial")
    assert path.stat().st_size > 0
    # top panel: one bar per method, at 20 labels only (errorbar's own vlines take arrays)
    bars = sorted((a[0], a[1], a[2]) for a, _ in drawn["vlines"] if np.ndim(a[0]) == 0)
    assert bars == [(20, 0.5, 0.64), (20, 0.7, 0.94)]
    # bottom panel: SGAN's difference gets its interval at 20 labels, none at 100
    ((args, kwargs),) = drawn["errorbar"]
    assert list(args[0]) == [20.0] and list(args[1]) == [0.25]
    low, high = kwargs["yerr"]
    assert low[0] == pytest.approx(0.15) and high[0] == pytest.approx(0.15)
