"""Pictures of samples: the sample grids and the 1-D GAN's histograms that the families draw
during training, and the PNG writer every figure of the package uses. Low in the layers
(matplotlib only), so a family can draw its samples without reaching up into reporting."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from ganbench.plumbing import atomic


def save_figure(fig: plt.Figure, path: Path) -> None:
    """Write a figure as PNG, whole or not at all, and free it."""
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
    save_figure(fig, path)


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
    save_figure(fig, path)
