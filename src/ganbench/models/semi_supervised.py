"""Pieces the two semi-supervised families share (the seed SGAN, `sgan`, and Salimans et
al.'s feature-matching SGAN, `sgan_fm`): the labelled subset, and the K-logit discriminator's
two readings, a K-class softmax and a real/fake probability D(x) = Z/(Z+1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from ganbench.data import labels
from ganbench.models.base import full_precision, scale_images
from ganbench.models.settings import LabelledParams


def real_fake_logit(class_logits: tf.Tensor) -> tf.Tensor:
    """logit of D(x) = Z/(Z+1) with Z = sum(exp(logits)): exactly logsumexp(logits)."""
    return tf.reduce_logsumexp(full_precision(class_logits), axis=-1)


def supervised_loss(y: tf.Tensor, class_logits: tf.Tensor) -> tf.Tensor:
    """Categorical cross-entropy of softmax(logits) against integer labels `y`."""
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=y, logits=full_precision(class_logits)
        )
    )


def split_labelled(
    dataset, labelled: LabelledParams, pixel_range: str, prepared_dir: Path
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(labelled images, their labels, unlabelled images), scaled: the configured subset of
    the training set, and every other training image as the unlabelled pool."""
    chosen = labelled_indices(labelled, prepared_dir)
    x_train = scale_images(dataset.x_train, pixel_range)
    unlabelled = np.setdiff1d(np.arange(len(x_train)), chosen)
    return x_train[chosen], dataset.y_train[chosen], x_train[unlabelled]


def labelled_indices(labelled: LabelledParams, prepared_dir: Path) -> np.ndarray:
    """Which training images keep their label under these params (the prepare stage's
    subsets): the one reading of a subset, for the families and the study's baselines."""
    return labels.load_subset(
        prepared_dir / "labels", labelled.count, labelled.seed, labelled.sampling
    )
