"""Figures: sample grids, the 1-D GAN's histograms and the label-study curves."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ganbench import atomic


def _save(fig: plt.Figure, path: Path) -> None:
    atomic.write_with(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def image_grid(
    images: np.ndarray, path: Path, columns: int, title: str, labels: list[str] | None = None
) -> None:
    """Grayscale images in [0, 1] (N x 28 x 28 [x 1]) as a grid PNG."""
    images = np.asarray(images).reshape(len(images), 28, 28)
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.2 + 0.4))
    for i, ax in enumerate(np.asarray(axes).reshape(-1)):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], cmap="gray", vmin=0.0, vmax=1.0)
            if labels:
                ax.set_title(labels[i], fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    _save(fig, path)


def histograms_1d(
    real: np.ndarray, generated: np.ndarray, noise: np.ndarray, path: Path, title: str
) -> None:
    """Real vs generated vs input-noise histograms, as the 1-D GAN seed draws them."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for values, label in ((real, "Real"), (generated, "Generated"), (noise, "Input")):
        ax.hist(np.ravel(values), bins=50, histtype="step", label=label)
    ax.set_xlabel("value")
    ax.set_ylabel("count")
    ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()
    _save(fig, path)


METHOD_LABELS = {
    "sgan": "SGAN (seed)",
    "sgan_fm": "SGAN, feature matching (Salimans et al.)",
    "supervised": "supervised, same network",
    "logistic_regression": "logistic regression (pixels)",
    "label_spreading": "label spreading (kNN, pixels)",
}


def accuracy_curves(
    table: dict, ceiling: float | None, confidence: float, path: Path, title: str
) -> None:
    """Mean test accuracy against label count (log x) per method, with CI bands."""
    counts = sorted(int(c) for c in table)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    methods = next(iter(table.values()))["methods"]
    for method in methods:
        rows = [table[str(c)]["methods"][method] for c in counts]
        means = np.array([r["mean"] for r in rows])
        (line,) = ax.plot(counts, means, marker="o", label=METHOD_LABELS.get(method, method))
        if all(r["ci_low"] is not None for r in rows):
            # An accuracy lies in [0, 1]; a t interval from two seeds can reach past either end.
            low = np.clip([r["ci_low"] for r in rows], 0.0, 1.0)
            high = np.clip([r["ci_high"] for r in rows], 0.0, 1.0)
            ax.fill_between(counts, low, high, color=line.get_color(), alpha=0.2)
    if ceiling is not None:
        ax.axhline(ceiling, color="gray", linestyle="--", label="supervised, all labels")
    ax.set_xscale("log")
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.set_xlabel("labelled training images (log scale)")
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{title}\n(bands: {confidence:.0%} confidence interval over seeds)", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    _save(fig, path)


def loss_curves(history: list[dict[str, float]], path: Path, title: str) -> None:
    """Every logged loss against the training step."""
    fig, ax = plt.subplots(figsize=(6, 3.5))
    steps = [row["step"] for row in history]
    for name in (key for key in history[0] if key != "step"):
        ax.plot(steps, [row[name] for row in history], label=name)
    ax.set_xlabel("training step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    _save(fig, path)
