"""The scikit-learn baselines on raw pixels: what a GAN-based method must beat to matter.

LogisticRegression sees the labelled images only; LabelSpreading (kNN graph) also uses an
unlabelled pool, so it is the classical counterpart of semi-supervised GAN training.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.semi_supervised import LabelSpreading

UNLABELLED = -1  # scikit-learn's marker for a sample without a label


def flat_pixels(images: np.ndarray) -> np.ndarray:
    """uint8 N x 28 x 28 -> float64 N x 784 in [0, 1]."""
    return np.asarray(images, np.float64).reshape(len(images), -1) / 255.0


def logistic_regression_accuracy(
    x_labelled: np.ndarray,
    y_labelled: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    c: float,
    max_iter: int,
) -> float:
    model = LogisticRegression(C=c, max_iter=max_iter)
    model.fit(flat_pixels(x_labelled), y_labelled)
    return float(np.mean(model.predict(flat_pixels(x_test)) == y_test))


def label_spreading_accuracy(
    x_labelled: np.ndarray,
    y_labelled: np.ndarray,
    x_pool: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    neighbors: int,
) -> float:
    """Spread labels over labelled + pool on a kNN graph; classify test images by it.

    A test image whose neighbours all sit in a part of the graph no label reached has no
    defined prediction; it counts as an error (scikit-learn would silently say class 0).
    """
    x = np.concatenate([flat_pixels(x_labelled), flat_pixels(x_pool)])
    y = np.concatenate([y_labelled, np.full(len(x_pool), UNLABELLED)])
    model = LabelSpreading(kernel="knn", n_neighbors=neighbors)
    model.fit(x, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        probabilities = model.predict_proba(flat_pixels(x_test))
    defined = np.all(np.isfinite(probabilities), axis=1)
    predicted = np.where(defined, model.classes_[np.argmax(np.nan_to_num(probabilities), 1)], -1)
    return float(np.mean(predicted == y_test))
