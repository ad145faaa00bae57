"""Cells -> the study table: per label count and method, mean, std and a Student-t
confidence interval over seeds; each semi-supervised GAN against the supervised network by a
paired t-test."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from scipy import stats

METHODS = ("sgan", "sgan_fm", "supervised", "logistic_regression", "label_spreading")
# (method, compared with): each reported as "<method>_vs_<other>" per label count
COMPARISONS = (("sgan", "supervised"), ("sgan_fm", "supervised"))
PAIRED_TEST = "paired t-test over seeds, two-sided (scipy.stats.ttest_rel)"


def summarise(values: Iterable[float], confidence: float) -> dict[str, Any]:
    """n, mean, sample std and the t confidence interval of the mean (None when n < 2)."""
    x = np.asarray(list(values), np.float64)
    n = len(x)
    mean = float(np.mean(x))
    if n < 2:
        return {"n": n, "mean": mean, "std": None, "ci_low": None, "ci_high": None}
    std = float(np.std(x, ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * std / math.sqrt(n)
    return {"n": n, "mean": mean, "std": std, "ci_low": mean - half, "ci_high": mean + half}


def paired_comparison(first: list[float], second: list[float]) -> dict[str, Any]:
    """Mean of first - second and the paired t-test's statistic and p-value (None when the
    test is undefined: fewer than two pairs, or every difference equal up to rounding)."""
    diff = np.asarray(first, np.float64) - np.asarray(second, np.float64)
    result: dict[str, Any] = {"n": len(diff), "mean_difference": float(np.mean(diff))}
    if len(diff) < 2 or np.ptp(diff) <= 1e-12:  # equal up to rounding: t is undefined
        return {**result, "statistic": None, "p_value": None}
    test = stats.ttest_rel(first, second)
    return {**result, "statistic": float(test.statistic), "p_value": float(test.pvalue)}


def study_table(cells: Iterable[Mapping[str, Any]], confidence: float) -> dict[str, Any]:
    """Aggregate cell results ({labels, seed, accuracy: {method: value}}) by label count.

    Seeds are matched by value, so the paired test compares each seed's GAN with the
    supervised network trained on the very same labelled subset.
    """
    by_count: dict[int, dict[int, Mapping[str, float]]] = {}
    for cell in cells:
        by_count.setdefault(int(cell["labels"]), {})[int(cell["seed"])] = cell["accuracy"]
    table: dict[str, Any] = {}
    for count in sorted(by_count):
        seeds = sorted(by_count[count])
        rows = [by_count[count][seed] for seed in seeds]
        table[str(count)] = {
            "seeds": seeds,
            "methods": {
                method: summarise((row[method] for row in rows), confidence) for method in METHODS
            },
        }
        for method, other in COMPARISONS:
            table[str(count)][f"{method}_vs_{other}"] = paired_comparison(
                [row[method] for row in rows], [row[other] for row in rows]
            )
    return table


def table_csv_rows(table: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per label count: each method's mean and CI bounds, for DVC plots."""
    rows = []
    for count, entry in table.items():
        row: dict[str, Any] = {"labels": int(count)}
        for method, summary in entry["methods"].items():
            row[method] = summary["mean"]
            row[f"{method}_ci_low"] = summary["ci_low"]
            row[f"{method}_ci_high"] = summary["ci_high"]
        rows.append(row)
    return rows
