"""The vanilla GAN of seed 003 on a 1-D distribution: learn N(4, 1.25) from U(0, 1) noise.

Each sample is a vector of `sample_size` draws. The discriminator sees each vector together
with its squared deviations from the vector's mean (the seed's "decorate" Lambda), so it can
judge spread as well as location. The generator is a per-element MLP (1x1 convolutions).
One iteration = one discriminator step on real + generated (concatenated) and five generator
steps, all through one Adam instance, as the seed compiles every model with the same `adam`.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.models.base import (
    GanModel,
    Reporter,
    Sampler,
    adam,
    apply,
    bce_logits,
    full_precision,
    sample_noise,
)
from ganbench.models.gan1d import Config
from ganbench.plumbing import pictures


def decorate(x: tf.Tensor) -> tf.Tensor:
    """[x, (x - mean(x))^2] per row: the seed's `add_decorate`."""
    deviation = tf.square(x - tf.reduce_mean(x, axis=1, keepdims=True))
    return tf.concat([x, deviation], axis=-1)


def build_discriminator(config: Config) -> keras.Model:
    inputs = keras.Input((config.sample_size,))
    h = layers.Lambda(decorate, output_shape=(2 * config.sample_size,))(inputs)
    h = layers.Dense(config.hidden_d, activation="relu")(h)
    h = layers.Dense(config.hidden_d, activation="relu")(h)
    logit = layers.Dense(1)(h)  # the seed's sigmoid is applied inside the loss
    return keras.Model(inputs, logit, name="discriminator")


def build_generator(config: Config) -> keras.Model:
    return keras.Sequential(
        [
            keras.Input((config.sample_size,)),
            layers.Reshape((config.sample_size, 1)),
            layers.Conv1D(config.hidden_g, 1, activation="relu"),
            layers.Conv1D(config.hidden_g, 1, activation="sigmoid"),
            layers.Conv1D(1, 1),
            layers.Flatten(),
        ],
        name="generator",
    )


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The discriminator first, then the generator, as the seed builds them."""
    discriminator = build_discriminator(config)
    return {"discriminator": discriminator, "generator": build_generator(config)}


class Gan1D(GanModel):
    def __init__(self, config: Config):
        super().__init__(config.schedule)
        self.config = config
        nets = build_networks(config)
        self.discriminator, self.generator = nets["discriminator"], nets["generator"]
        self.optimizer = adam(config.optimizer)
        self.build_optimizers(
            {"shared": self.discriminator.trainable_variables + self.generator.trainable_variables}
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"shared": self.optimizer}

    def noise(self, rows: int) -> tf.Tensor:
        return sample_noise(self.rng, (rows, self.config.sample_size), self.config.noise)

    def real(self, rows: int) -> tf.Tensor:
        c = self.config
        return c.target_mean + c.target_std * self.rng.normal((rows, c.sample_size))

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables
        d_loss = g_loss = tf.constant(0.0)
        for _ in range(self.config.d_steps):
            # real (target 1) and generated (target 0) in one concatenated batch
            real = self.real(n)  # drawn before the noise, as the seed's order
            fake = full_precision(self.generator(self.noise(n)))  # bfloat16 when mixed
            x = tf.concat([real, fake], axis=0)
            targets = tf.concat([tf.ones((n, 1)), tf.zeros((n, 1))], axis=0)
            with tf.GradientTape() as tape:
                d_loss = bce_logits(targets, self.discriminator(x, training=True))
            apply(self.optimizer, tape, d_loss, d_vars)
        for _ in range(self.config.g_steps):
            with tf.GradientTape() as tape:
                fooled = self.discriminator(self.generator(self.noise(n), training=True))
                g_loss = bce_logits(1.0, fooled)
            apply(self.optimizer, tape, g_loss, g_vars)
        return {"d": d_loss, "g": g_loss}

    def sampler(self) -> Sampler:
        return sampler(self.config, self.generator)

    def save_samples(self, path: Path, step: int, caption: str) -> None:
        c = self.config
        draw = self.sampler()
        generated = draw.generate(c.histogram_samples, seed=step)
        noise = draw.latent(c.histogram_samples, seed=step).numpy()
        real = np.random.default_rng(step).normal(
            c.target_mean, c.target_std, (c.histogram_samples, c.sample_size)
        )
        title = (
            f"{caption}: real {real.mean():.2f} ± {real.std():.2f}, "
            f"generated {generated.mean():.2f} ± {generated.std():.2f}"
        )
        pictures.histograms_1d(real, generated, noise, path, title)

    def after_training(self, dataset: Dataset | None, report: Reporter) -> dict[str, float]:
        generated = self.generate(self.config.histogram_samples, seed=self.schedule.seed)
        return {"generated_mean": float(generated.mean()), "generated_std": float(generated.std())}


def create(config: Config, dataset: Dataset | None, prepared_dir: Path) -> Gan1D:
    return Gan1D(config)


def sampler(config: Config, generator: keras.Model) -> Sampler:
    """Vectors of `sample_size` noise draws in, raw values out (Keras's default batch)."""
    return Sampler(generator, (config.sample_size,), config.noise, None, batch_size=None)
