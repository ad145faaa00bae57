"""Scores from a classifier's outputs: accuracy reports and the classifier score."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import confusion_matrix

from ganbench.plumbing.schema import NUM_CLASSES


def accuracy_report(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, object]:
    """Overall accuracy, per-class accuracy (recall of each class) and the confusion matrix
    (rows: true class, columns: predicted)."""
    matrix = confusion_matrix(y_true, y_pred, labels=np.arange(NUM_CLASSES))
    per_class = np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)
    return {
        "accuracy": float(np.mean(np.asarray(y_true) == np.asarray(y_pred))),
        "per_class_accuracy": [float(v) for v in per_class],
        "confusion_matrix": matrix.tolist(),
    }


def classifier_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) || p(y))): the Inception-score analogue. 1 for outputs that carry no
    class information; at most the number of classes, for confident and balanced outputs."""
    p = np.asarray(probabilities, np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)), axis=1)
    return float(np.exp(np.mean(kl)))


def class_coverage(predicted: np.ndarray) -> dict[str, object]:
    """How generated samples spread over the classes a classifier sees in them: the share
    of each class, its entropy (natural log; log 10 ≈ 2.303 when every digit is equally
    common, 0 for a generator that makes one digit) and the KL divergence from uniform
    (log 10 - entropy): the mode-collapse diagnostics."""
    counts = np.bincount(np.asarray(predicted, np.int64), minlength=NUM_CLASSES)
    shares = counts / max(counts.sum(), 1)
    nonzero = shares[shares > 0]
    entropy = float(-np.sum(nonzero * np.log(nonzero)))
    return {
        "class_shares": [float(v) for v in shares],
        "class_entropy": entropy,
        "class_kl_uniform": float(np.log(NUM_CLASSES) - entropy),
    }
