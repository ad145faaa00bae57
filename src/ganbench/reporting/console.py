"""What a stage says when it ends: one readable line of what it made and its headline
figures with their units, in place of a dict of every number (those are in the files)."""

from __future__ import annotations

from typing import Any


def _seconds(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:.0f} s" if value < 120 else f"{value / 60:.1f} min"


def train_line(gan: str, metrics: dict[str, Any], where: str) -> str:
    """`train@dcgan: 2 steps in 14 s (resumed from 0) -> models/dcgan, ...`."""
    line = f"{metrics.get('steps', 0):,} steps in {_seconds(metrics.get('wall_seconds'))}"
    if metrics.get("resumed_from"):
        line += f" (resumed from step {metrics['resumed_from']:,})"
    if "test_accuracy" in metrics:
        line += f"; test accuracy {metrics['test_accuracy']:.4f}"
        if "baseline_test_accuracy" in metrics:
            line += f" (supervised baseline {metrics['baseline_test_accuracy']:.4f})"
    return f"{where}: {line}"


def evaluate_line(gan: str, metrics: dict[str, Any], where: str) -> str:
    """The evaluate suite's headline: FID-style between its floor and ceiling for an image
    GAN, the moments against the target for the 1-D GAN."""
    took = _seconds(metrics.get("stage_seconds"))
    if "fid" not in metrics:
        return (
            f"{where}: mean {metrics['mean']:.3f} (target {metrics['target_mean']:g}), "
            f"SD {metrics['std']:.3f} (target {metrics['target_std']:g}), "
            f"W1 {metrics['w1']:.3f}, KS {metrics['ks']:.3f}, in {took}"
        )
    line = (
        f"FID-style {metrics['fid']:.2f} (floor {metrics['floor']['fid']:.2f}, untrained "
        f"{metrics['untrained']['fid']:.1f}), KID {metrics['kid']:.2f}, classifier score "
        f"{metrics['classifier_score']:.2f} of 10"
    )
    if "conditional_accuracy" in metrics:
        line += f", conditional accuracy {metrics['conditional_accuracy']:.4f}"
    return f"{where}: {line} on {metrics['samples']:,} samples, in {took}"
