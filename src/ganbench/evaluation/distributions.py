"""Comparing two 1-D distributions: moments, Wasserstein-1 and the Kolmogorov-Smirnov
statistic. Images use it on pixel intensities; the 1-D GAN on its samples."""

from __future__ import annotations

import numpy as np
from scipy import stats


def moments(values: np.ndarray) -> dict[str, float]:
    """Mean, standard deviation, skewness and excess kurtosis of all values."""
    x = np.asarray(values, np.float64).ravel()
    return {
        "mean": float(np.mean(x)),
        "std": float(np.std(x)),
        "skewness": float(stats.skew(x)),
        "kurtosis": float(stats.kurtosis(x, fisher=True)),
    }


def compare_samples(values: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    """W1 distance and two-sample KS statistic between two samples (the same numbers as
    scipy.stats.wasserstein_distance and ks_2samp), from one pass over both empirical CDFs:
    W1 = integral of |F - G|, KS = max |F - G|. Images have millions of pixels, so sharing
    the sorting matters."""
    x, y = np.sort(np.ravel(values)), np.sort(np.ravel(reference))
    grid = np.sort(np.concatenate([x, y]))
    f = np.searchsorted(x, grid, side="right") / len(x)
    g = np.searchsorted(y, grid, side="right") / len(y)
    gap = np.abs(f - g)
    widths = np.diff(grid.astype(np.float64))
    return {"w1": float(np.dot(gap[:-1], widths)), "ks": float(np.max(gap))}


def compare_to_normal(values: np.ndarray, mean: float, std: float) -> dict[str, float]:
    """Moments of a sample, and its KS test (statistic, p-value) and exact W1 distance
    against N(mean, std²)."""
    x = np.sort(np.asarray(values, np.float64).ravel())
    target = stats.norm(mean, std)
    ks = stats.kstest(x, target.cdf)
    return {
        **moments(x),
        "ks": float(ks.statistic),
        "ks_pvalue": float(ks.pvalue),
        "w1": normal_w1(x, mean, std),
    }


def normal_w1(sorted_values: np.ndarray, mean: float, std: float) -> float:
    """Exact W1 between an empirical distribution and N(mean, std²): the integral over u of
    |F_n⁻¹(u) - F⁻¹(u)|, with each sample owning a quantile slice of width 1/n; within a
    slice the integral of the normal quantile has a closed form, split where it crosses x."""
    n = len(sorted_values)
    edges = stats.norm.ppf(np.linspace(0.0, 1.0, n + 1))  # standard-normal slice edges
    x = (sorted_values - mean) / std
    crossing = np.clip(x, edges[:-1], edges[1:])

    def partial_integral(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        # the integral of t * phi(t) dt from lo to hi
        return stats.norm.pdf(lo) - stats.norm.pdf(hi)

    # over u with quantile below x: x - q; above x: q - x
    below_mass = stats.norm.cdf(crossing) - stats.norm.cdf(edges[:-1])
    above_mass = stats.norm.cdf(edges[1:]) - stats.norm.cdf(crossing)
    below = x * below_mass - partial_integral(edges[:-1], crossing)
    above = partial_integral(crossing, edges[1:]) - x * above_mass
    return float(std * np.sum(below + above))
