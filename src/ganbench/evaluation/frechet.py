"""Fréchet distance between Gaussians fitted to two feature sets (the FID-style metric).

d² = |μ₁ - μ₂|² + tr Σ₁ + tr Σ₂ - 2 tr (Σ₁ Σ₂)^½.  The last trace is computed as the sum of
square roots of the eigenvalues of Σ₁^½ Σ₂ Σ₁^½, which is symmetric positive semi-definite
and has the same eigenvalues as Σ₁ Σ₂. Symmetric eigendecompositions stay finite when the
covariances are singular (fewer samples than features, a mode-collapsed generator), where a
general matrix square root can return complex or NaN values.
"""

from __future__ import annotations

import numpy as np


def gaussian_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (unbiased) covariance of row vectors, in float64."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"features: expected a 2-D array with >= 2 rows, got shape {x.shape}")
    return x.mean(axis=0), np.cov(x, rowvar=False)


def psd_sqrt(matrix: np.ndarray) -> np.ndarray:
    """Square root of a symmetric positive semi-definite matrix (negative rounding clipped)."""
    symmetric = 0.5 * (matrix + matrix.T)
    eigenvalues, eigenvectors = np.linalg.eigh(symmetric)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """tr (Σ₁ Σ₂)^½ for PSD Σ₁, Σ₂."""
    root1 = psd_sqrt(sigma1)
    middle = root1 @ sigma2 @ root1
    eigenvalues = np.linalg.eigvalsh(0.5 * (middle + middle.T))
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))


def frechet_distance(
    mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray
) -> float:
    """Squared Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2); never negative."""
    mu1, mu2 = np.asarray(mu1, np.float64), np.asarray(mu2, np.float64)
    sigma1, sigma2 = np.asarray(sigma1, np.float64), np.asarray(sigma2, np.float64)
    diff = mu1 - mu2
    value = (
        diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    )
    return max(float(value), 0.0)


def frechet_distance_of(features1: np.ndarray, features2: np.ndarray) -> float:
    """FID-style distance between two sets of feature vectors."""
    return frechet_distance(*gaussian_stats(features1), *gaussian_stats(features2))
