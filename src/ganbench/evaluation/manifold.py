"""Precision, recall, density and coverage on k-nearest-neighbour manifolds.

Each set's manifold is the union of balls around its points reaching to their k-th nearest
neighbour in the same set (Kynkäänniemi et al. 2019). Precision: the share of generated
points inside the real manifold (fidelity). Recall: the share of real points inside the
generated manifold (diversity). Density and coverage (Naeem et al. 2020) are the
outlier-robust variants: how many real balls contain each generated point, on average, / k;
and the share of real balls holding at least one generated point.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

CHUNK_ROWS = 2000  # rows of the distance matrix held at once (2000 x 10,000 float64 = 160 MB)


@dataclass(frozen=True)
class ManifoldScores:
    precision: float
    recall: float
    density: float
    coverage: float


def _distance_chunks(a: np.ndarray, b: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
    """Euclidean distances from rows of a to rows of b, a block of rows of a at a time."""
    b_sq = np.sum(b * b, axis=1)
    for start in range(0, len(a), CHUNK_ROWS):
        block = a[start : start + CHUNK_ROWS]
        sq = np.sum(block * block, axis=1)[:, None] + b_sq[None, :] - 2.0 * block @ b.T
        yield slice(start, start + len(block)), np.sqrt(np.clip(sq, 0.0, None))


def kth_neighbour_radii(points: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point to its k-th nearest other point of the same set."""
    if not 0 < k < len(points):
        raise ValueError(f"nearest_k: must be between 1 and {len(points) - 1}, got {k}")
    radii = np.empty(len(points))
    for rows, distances in _distance_chunks(points, points):
        # column k: index 0 of the sorted row is the point itself (distance 0)
        radii[rows] = np.partition(distances, k, axis=1)[:, k]
    return radii


def manifold_scores(real: np.ndarray, generated: np.ndarray, k: int = 3) -> ManifoldScores:
    real, generated = np.asarray(real, np.float64), np.asarray(generated, np.float64)
    real_radii = kth_neighbour_radii(real, k)
    generated_radii = kth_neighbour_radii(generated, k)
    balls_containing = np.zeros(len(generated))  # real balls around each generated point
    real_covered = np.zeros(len(real), dtype=bool)  # nearest generated point within the ball
    real_in_generated = np.zeros(len(real), dtype=bool)
    for rows, distances in _distance_chunks(real, generated):
        inside = distances <= real_radii[rows, None]
        balls_containing += inside.sum(axis=0)
        real_covered[rows] = distances.min(axis=1) <= real_radii[rows]
        real_in_generated[rows] = np.any(distances <= generated_radii[None, :], axis=1)
    return ManifoldScores(
        precision=float(np.mean(balls_containing > 0)),
        recall=float(np.mean(real_in_generated)),
        density=float(np.sum(balls_containing) / (k * len(generated))),
        coverage=float(np.mean(real_covered)),
    )
