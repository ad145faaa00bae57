"""The family record is the only place a family is declared: a seventh family, its record
and its module both defined in this test, trains, is evaluated and is reported by the
pipeline's own stages, without a line of src/ or pipeline/ knowing its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.models import registry
from ganbench.models.base import (
    ImageGan,
    Sampler,
    adam,
    apply,
    bce_logits,
    image_sampler,
    scale_images,
)
from ganbench.models.settings import AdamParams, ScheduleParams, noise_check, pixel_range_check
from ganbench.plumbing.schema import checked, positive
from ganbench.stages import evaluate as evaluate_stage
from ganbench.stages import reference as reference_stage
from ganbench.stages import report
from ganbench.stages import train as train_stage
from tests import tiny_pipeline
from tests.tiny_pipeline import tiny_raw, write_params

NAME = "tinygan"


# --- the family's params section (what its package's __init__.py would hold) ---------------


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    optimizer: AdamParams


# --- its TensorFlow module (what its model.py would hold), a models.base.FamilyModule ------


def build_networks(config: Config) -> dict[str, keras.Model]:
    generator = keras.Sequential(
        [keras.Input((config.z_dim,)), layers.Dense(784, activation="sigmoid"),
         layers.Reshape((28, 28, 1))],
        name="generator",
    )  # fmt: skip
    discriminator = keras.Sequential(
        [keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(1)], name="discriminator"
    )
    return {"generator": generator, "discriminator": discriminator}


class TinyGan(ImageGan):
    """The minimax GAN with a one-layer generator and discriminator."""

    def __init__(self, config: Config, images: np.ndarray):
        super().__init__(config.schedule, config.pixel_range, config.z_dim, config.noise, images)
        nets = build_networks(config)
        self.generator, self.discriminator = nets["generator"], nets["discriminator"]
        self.opt_d, self.opt_g = adam(config.optimizer), adam(config.optimizer)
        self.build_optimizers(
            {
                "discriminator": self.discriminator.trainable_variables,
                "generator": self.generator.trainable_variables,
            }
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"discriminator": self.opt_d, "generator": self.opt_g}

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        fake = self.generator(self.noise(n))
        with tf.GradientTape() as tape:
            d_loss = bce_logits(1.0, self.discriminator(self.real_batch(n))) + bce_logits(
                0.0, self.discriminator(fake)
            )
        apply(self.opt_d, tape, d_loss, self.discriminator.trainable_variables)
        with tf.GradientTape() as tape:
            g_loss = bce_logits(1.0, self.discriminator(self.generator(self.noise(n))))
        apply(self.opt_g, tape, g_loss, self.generator.trainable_variables)
        return {"d": d_loss, "g": g_loss}


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> TinyGan:
    return TinyGan(config, scale_images(dataset.x_train, config.pixel_range))


def sampler(config: Config, generator: keras.Model) -> Sampler:
    return image_sampler(generator, config.z_dim, config.noise, config.pixel_range)


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def registered():
    record = registry.register(
        registry.Family(NAME, Config, __name__, "a one-layer GAN", paper="this test")
    )
    yield record
    del registry.FAMILIES[NAME]


def test_a_family_defined_outside_src_trains_is_evaluated_and_reported(tmp_path, registered):
    layout = tiny_pipeline.layout(tmp_path)
    raw = tiny_raw()
    for section in [*registry.FAMILIES, "study"]:
        raw.pop(section, None)  # only the new family: the pipeline needs no other
    raw[NAME] = {
        "schedule": {
            "iterations": 4,
            "batch_size": 8,
            "seed": 0,
            "log_every": 2,
            "sample_every": 4,
            "checkpoint_every": 2,
            "xla": False,
            "evaluate_every": 2,
        },
        "z_dim": 8,
        "noise": "normal",
        "pixel_range": "unit",
        "optimizer": {"lr": 1.0e-3, "beta1": 0.5, "beta2": 0.999, "epsilon": 1.0e-7},
    }
    params_path = write_params(tmp_path, raw)

    reference_stage.run(params_path, layout["reference"])
    trained = train_stage.run(NAME, params_path, layout["train"], progress=False)
    assert trained["steps"] == 4 and set(trained["final_losses"]) == {"d", "g"}
    curve = (layout["train"].progress / f"{NAME}.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in curve[1:]] == ["0", "2", "4"]
    assert (layout["train"].models / NAME / "generator.keras").is_file()

    scored = evaluate_stage.run(NAME, params_path, layout["evaluate"])
    for key in ("fid", "kid", "precision", "recall", "classifier_score", "class_entropy"):
        assert np.isfinite(scored[key]) and np.isfinite(scored["untrained"][key]), key
    assert scored["fid"] != scored["untrained"]["fid"]  # trained and untrained differ

    text = report.run(params_path, layout["report"]).read_text()
    assert f"**{NAME}**" in text and f"`{NAME}` is not a seed: it follows this test." in text
    assert "Accuracy versus number of labels" not in text  # no study configured
