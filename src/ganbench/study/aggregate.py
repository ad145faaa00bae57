"""Cells -> the study table: per label count and method, mean, std and a confidence
interval over seeds that stays inside the accuracy's range; every method against the
supervised network on the same subsets as paired differences per seed (mean difference
with its interval, the paired t-test, the effect size)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import stats

from ganbench.study.ranges import ACCURACY

REFERENCE_METHOD = "supervised"  # what every other method is paired against
PAIRED_TEST = "paired t-test over seeds, two-sided (scipy.stats.ttest_rel)"
EFFECT_SIZE = "mean difference / SD of the differences (Cohen's d_z)"


INTERVALS = {
    "t": "Student-t interval of the mean",
    "t-logit": "Student-t interval on the logit scale of the figure's range, mapped back",
    "t-log": "Student-t interval on the log scale of the distance to the figure's bound, "
    "mapped back",
    "t-clipped": "Student-t interval cut at the figure's range (a seed sits on its bound, "
    "where the logit or log scale is infinite)",
}


def summarise(
    values: Iterable[float],
    confidence: float,
    bounds: tuple[float | None, float | None] = (None, None),
) -> dict[str, Any]:
    """n, mean, sample std and the confidence interval of the mean (None when n < 2). A
    figure with a range (`bounds`, e.g. (0, 1) for an accuracy) gets an interval inside it:
    the Student-t interval on a scale that maps the range onto the whole line (logit when
    bounded on both sides, log when on one), mapped back; `interval` names the method."""
    x = np.asarray(list(values), np.float64)
    n = len(x)
    mean = float(np.mean(x))
    if n < 2:
        return {"n": n, "mean": mean, "std": None, "ci_low": None, "ci_high": None}
    std = float(np.std(x, ddof=1))
    t = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    low, high = mean - t * std / math.sqrt(n), mean + t * std / math.sqrt(n)
    method = "t"
    lo, hi = bounds
    if lo is not None or hi is not None:
        low, high, method = bounded(x, t, lo, hi, (low, high))
    return {"n": n, "mean": mean, "std": std, "ci_low": low, "ci_high": high, "interval": method}


def bounded(
    x: np.ndarray, t: float, lo: float | None, hi: float | None, plain: tuple[float, float]
) -> tuple[float, float, str]:
    """The interval of `x`'s mean inside [lo, hi] (see `summarise`)."""
    inside = (lo is None or bool(np.all(x > lo))) and (hi is None or bool(np.all(x < hi)))
    if not inside:
        low, high = plain
        return (
            low if lo is None else max(low, lo),
            high if hi is None else min(high, hi),
            "t-clipped",
        )
    if lo is not None and hi is not None:
        u = (x - lo) / (hi - lo)
        z = np.log(u / (1 - u))
        back = lambda v: lo + (hi - lo) / (1 + math.exp(-v))  # noqa: E731
        method = "t-logit"
    elif lo is not None:
        z, back, method = np.log(x - lo), (lambda v: lo + math.exp(v)), "t-log"
    else:
        z, back, method = np.log(hi - x), (lambda v: hi - math.exp(v)), "t-log"
    half = t * float(np.std(z, ddof=1)) / math.sqrt(len(z))
    ends = sorted((back(float(np.mean(z)) - half), back(float(np.mean(z)) + half)))
    return ends[0], ends[1], method


def paired_comparison(
    first: Sequence[float], second: Sequence[float], confidence: float = 0.95
) -> dict[str, Any]:
    """first - second per pair: mean difference, its t interval, the paired t-test's
    statistic and p-value, and the effect size. The test and the effect size are None when
    undefined: fewer than two pairs, or every difference equal up to rounding."""
    diff = np.asarray(first, np.float64) - np.asarray(second, np.float64)
    interval = summarise(diff, confidence)
    result: dict[str, Any] = {
        "n": len(diff),
        "mean_difference": interval["mean"],
        "std_difference": interval["std"],
        "ci_low": interval["ci_low"],
        "ci_high": interval["ci_high"],
    }
    if len(diff) < 2 or np.ptp(diff) <= 1e-12:  # equal up to rounding: t is undefined
        return {**result, "statistic": None, "p_value": None, "effect_size": None}
    test = stats.ttest_rel(first, second)
    return {
        **result,
        "statistic": float(test.statistic),
        "p_value": float(test.pvalue),
        "effect_size": interval["mean"] / interval["std"],
    }


WELCH_TEST = "Welch's t-test, two-sided (scipy.stats.ttest_ind, equal_var=False)"


def welch_difference(
    first: Sequence[float], second: Sequence[float], confidence: float = 0.95
) -> dict[str, Any]:
    """first - second for two independent groups (two families' training seeds): the
    difference of means, its Welch interval (Welch-Satterthwaite degrees of freedom) and
    the two-sided Welch test; undefined (None) with fewer than two values in a group or no
    spread in either."""
    a, b = np.asarray(first, np.float64), np.asarray(second, np.float64)
    result: dict[str, Any] = {
        "n_first": len(a),
        "n_second": len(b),
        "mean_difference": float(a.mean() - b.mean()),
    }
    va = a.var(ddof=1) / len(a) if len(a) > 1 else math.nan
    vb = b.var(ddof=1) / len(b) if len(b) > 1 else math.nan
    if not (len(a) > 1 and len(b) > 1) or va + vb <= 1e-24:
        return {**result, "ci_low": None, "ci_high": None, "df": None, "p_value": None}
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df)) * math.sqrt(va + vb)
    test = stats.ttest_ind(a, b, equal_var=False)
    return {
        **result,
        "ci_low": result["mean_difference"] - half,
        "ci_high": result["mean_difference"] + half,
        "df": float(df),
        "p_value": float(test.pvalue),
    }


def study_table(
    cells: Iterable[Mapping[str, Any]], confidence: float, methods: Sequence[str]
) -> dict[str, Any]:
    """Aggregate cell results ({labels, seed, accuracy: {method: value}}) by label count.

    Seeds are matched by value, so each paired difference compares a method with the
    supervised network trained on the very same labelled subset. A method that only some
    cells hold (a GAN run for some seeds only) is summarised over those, its seeds listed.
    """
    by_count: dict[int, dict[int, Mapping[str, float]]] = {}
    for cell in cells:
        by_count.setdefault(int(cell["labels"]), {})[int(cell["seed"])] = cell["accuracy"]
    table: dict[str, Any] = {}
    for count in sorted(by_count):
        seeds = sorted(by_count[count])
        rows = [by_count[count][seed] for seed in seeds]
        present = [m for m in methods if any(m in row for row in rows)]
        entry: dict[str, Any] = {
            "seeds": seeds,
            "methods": {
                m: {
                    **summarise((row[m] for row in rows if m in row), confidence, ACCURACY),
                    "seeds": [s for s, row in zip(seeds, rows, strict=True) if m in row],
                }
                for m in present
            },
        }
        versus = {}
        for m in present:
            if m == REFERENCE_METHOD:
                continue
            pairs = [(row[m], row[REFERENCE_METHOD]) for row in rows if m in row]
            versus[m] = paired_comparison(*zip(*pairs, strict=True), confidence)
        entry[f"vs_{REFERENCE_METHOD}"] = versus
        table[str(count)] = entry
    return table


def table_csv_rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per label count: each method's mean and CI bounds, and its paired difference
    from the supervised network with that interval, for DVC plots."""
    rows = []
    for count, entry in table.items():
        row: dict[str, Any] = {"labels": int(count)}
        for method, summary in entry["methods"].items():
            row[method] = summary["mean"]
            row[f"{method}_ci_low"] = summary["ci_low"]
            row[f"{method}_ci_high"] = summary["ci_high"]
        for method, paired in entry[f"vs_{REFERENCE_METHOD}"].items():
            row[f"{method}_minus_{REFERENCE_METHOD}"] = paired["mean_difference"]
        rows.append(row)
    return rows
