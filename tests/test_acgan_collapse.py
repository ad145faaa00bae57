"""The ACGAN collapse diagnostic's scores, on generators whose answers are known by hand."""

import math

import numpy as np
import pytest

from benchmarks import acgan_collapse
from ganbench.models.acgan import model as acgan
from ganbench.training import loop
from tests.tiny import tiny_config

N = 10 * acgan_collapse.PER_CLASS


@pytest.fixture(scope="module", autouse=True)
def deterministic_runtime():
    """Before this module's first TensorFlow op: threads can be set only until then."""
    loop.configure_runtime(xla=False)


class ConstantGenerator:
    """Ignores noise and class: one mid-grey image for every request."""

    def predict(self, inputs, batch_size, verbose):
        return np.zeros((len(inputs[0]), 28, 28, 1), np.float32)


class ClassGenerator:
    """Draws the requested class as the image's brightness, moved a little by the noise."""

    def predict(self, inputs, batch_size, verbose):
        noise, labels = inputs
        level = labels[:, 0] / 10.0 - 0.5 + 0.01 * noise[:, 0]
        return np.broadcast_to(level[:, None, None, None], (len(labels), 28, 28, 1)).copy()


class BrightnessReader:
    """Reads the class back from the brightness ClassGenerator drew it with."""

    def predict_classes(self, unit_images):
        return np.clip(np.rint((unit_images.mean(axis=(1, 2, 3)) - 0.25) * 20), 0, 9).astype(int)


def test_a_generator_that_ignores_its_inputs_scores_as_collapsed():
    noise = np.random.default_rng(0).normal(size=(N, 4))
    scores = acgan_collapse.diversity(ConstantGenerator(), noise, BrightnessReader())
    assert scores["conditional_accuracy"] == 0.1  # every image read as class 5
    assert scores["class_entropy"] == 0.0
    assert scores["within_class_sd"] == 0.0


def test_a_generator_that_follows_class_and_noise_scores_as_diverse():
    noise = np.random.default_rng(0).normal(size=(N, 4))
    scores = acgan_collapse.diversity(ClassGenerator(), noise, BrightnessReader())
    assert scores["conditional_accuracy"] == 1.0
    assert math.isclose(scores["class_entropy"], math.log(10))
    # unit-range pixels move by half the 0.01 * noise step: SD 0.005 * SD(noise) per class
    expected = np.mean([0.005 * noise[c * 50 : (c + 1) * 50, 0].std() for c in range(10)])
    assert math.isclose(scores["within_class_sd"], expected, rel_tol=1e-4)


def test_wide_embedding_redraws_the_class_table_in_the_unit_range():
    config = tiny_config("acgan")
    generator = acgan.build_generator(config.z_dim, config.generator)
    acgan_collapse.widen_embedding(generator)
    (layer,) = [layer for layer in generator.layers if layer.name.startswith("embedding")]
    table = layer.get_weights()[0]
    assert np.abs(table).max() > 0.5  # Keras' default draws within 0.05
    assert np.abs(table).max() <= 1.0
