"""FID-style without its sample size: FID∞ (Chong & Forsyth 2020, "Effectively Unbiased FID
and Inception Score and where to find them"). FID is biased upwards by a term close to
proportional to 1/N in the number N of generated images, so a score at 10,000 images and one
at 5,000 are not comparable. FID-style is measured on seeded subsets at several N up to the
images at hand, a line is fitted in 1/N, and its intercept at 1/N = 0 is FID∞. The subsets
are drawn `draws` times; the spread of the intercept over those draws is its uncertainty.

The real side stays at its fixed size (evaluate.real_samples), so FID∞ is comparable between
scores on the same reference network and the same real set, whatever N each was scored at.
KID's estimate is unbiased in N already, so it is not extrapolated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ganbench.evaluation import frechet

# N from a fifth of the images at hand up to all of them, as the paper spaces its points
POINTS = 8
SMALLEST_SHARE = 0.2


def sizes_for(count: int, feature_units: int) -> list[int]:
    """The subset sizes: evenly spaced, each above the feature count (a covariance needs it)."""
    low = max(int(count * SMALLEST_SHARE), feature_units + 1)
    return sorted({round(float(n)) for n in np.linspace(low, count, POINTS)})


def extrapolate(
    features: np.ndarray, real_features: np.ndarray, seed: int, draws: int = 5
) -> dict[str, Any]:
    """FID∞ of `features` against `real_features`: the intercept of FID-style against 1/N
    over seeded subsets, its SD over `draws` independent subset draws, and the points."""
    sizes = sizes_for(len(features), features.shape[1])
    if len(sizes) < 3:
        raise ValueError(f"{len(features)} images: too few for FID at several sizes")
    real_mean, real_cov = frechet.gaussian_stats(real_features)
    rng = np.random.default_rng(seed)
    x = 1.0 / np.asarray(sizes, np.float64)
    per_draw = []
    for _ in range(draws):
        scores = []
        for n in sizes:
            chosen = rng.choice(len(features), n, replace=False)
            mean, cov = frechet.gaussian_stats(features[chosen])
            scores.append(frechet.frechet_distance(mean, cov, real_mean, real_cov))
        per_draw.append(scores)
    fid = np.asarray(per_draw)  # draws x sizes
    fits = [np.polyfit(x, row, 1) for row in fid]  # (slope, intercept) per draw
    intercepts = np.asarray([fit[1] for fit in fits])
    return {
        "fid_infinity": float(np.mean(intercepts)),
        "fid_infinity_sd": float(np.std(intercepts, ddof=1)) if draws > 1 else None,
        "slope_per_inverse_n": float(np.mean([fit[0] for fit in fits])),
        "sizes": sizes,
        "fid_at_sizes": [float(v) for v in fid.mean(axis=0)],
        "draws": draws,
        "method": "FID-style at each size on seeded subsets, least-squares line in 1/N, "
        "intercept at 1/N = 0 (Chong & Forsyth 2020); SD over the subset draws",
    }
