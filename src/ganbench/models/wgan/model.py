"""WGAN with weight clipping, seed 001 (Arjovsky et al. via the book library `gan.py`).

Per generator step: `n_critic` critic steps, each one update on a real batch (target +1) and
one on a fake batch (target -1), trained separately as the seed does, then every critic
weight clipped to [-c, c]. Wasserstein loss -mean(y * D(x)); linear critic; RMSProp.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.models.base import (
    ImageGan,
    Sampler,
    apply,
    full_precision,
    image_sampler,
    rmsprop,
    scale_images,
)
from ganbench.models.wgan import Config, CriticParams, GeneratorParams


def build_critic(p: CriticParams) -> keras.Model:
    """[LeakyReLU -> Conv2D]* -> Flatten -> Dense(1), linear (the book's order)."""
    model = keras.Sequential(name="critic")
    model.add(keras.Input((28, 28, 1)))
    for filters, stride in zip(p.filters, p.strides, strict=True):
        model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
        model.add(layers.Conv2D(filters, p.kernel, strides=stride, padding="same"))
    model.add(layers.Flatten())
    model.add(layers.Dense(1))
    return model


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    """Dense -> reshape -> [BN -> ReLU -> Conv2DTranspose]* -> sigmoid."""
    model = keras.Sequential(name="generator")
    model.add(keras.Input((z_dim,)))
    model.add(layers.Dense(int(np.prod(p.base_shape))))
    model.add(layers.Reshape(p.base_shape))
    for filters, stride in zip(p.filters, p.strides, strict=True):
        model.add(layers.BatchNormalization())
        model.add(layers.Activation("relu"))
        model.add(layers.Conv2DTranspose(filters, p.kernel, strides=stride, padding="same"))
    model.add(layers.Activation("sigmoid"))
    return model


def wasserstein_loss(sign: float, scores: tf.Tensor) -> tf.Tensor:
    """-mean(y * D(x)) with y = +1 (real) or -1 (fake), the seed's `wasserstein_loss`."""
    return -tf.reduce_mean(sign * full_precision(scores))


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The critic first, then the generator, as the seed builds them."""
    critic = build_critic(config.critic)
    return {"critic": critic, "generator": build_generator(config.z_dim, config.generator)}


class WGAN(ImageGan):
    def __init__(self, config: Config, images: np.ndarray):
        super().__init__(config.schedule, config.pixel_range, config.z_dim, config.noise, images)
        self.config = config
        nets = build_networks(config)
        self.critic, self.generator = nets["critic"], nets["generator"]
        # The seed compiles critic and adversarial model with one RMSprop instance.
        self.optimizer = rmsprop(config.optimizer)
        self.build_optimizers(
            {"shared": self.critic.trainable_variables + self.generator.trainable_variables}
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "critic": self.critic}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"shared": self.optimizer}

    def clip_critic(self) -> None:
        c = self.config.clip_value
        for variable in self.critic.trainable_variables:
            variable.assign(tf.clip_by_value(variable, -c, c))

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        c_vars = self.critic.trainable_variables
        fakes_training = not self.config.fakes_in_inference_mode
        critic_loss = tf.constant(0.0)
        for _ in range(self.config.n_critic):
            real = self.real_batch(n)
            fake = self.generator(self.noise(n), training=fakes_training)
            with tf.GradientTape() as tape:
                real_loss = wasserstein_loss(1.0, self.critic(real, training=True))
            apply(self.optimizer, tape, real_loss, c_vars)
            with tf.GradientTape() as tape:
                fake_loss = wasserstein_loss(-1.0, self.critic(fake, training=True))
            apply(self.optimizer, tape, fake_loss, c_vars)
            self.clip_critic()
            critic_loss += 0.5 * (real_loss + fake_loss)
        with tf.GradientTape() as tape:
            scores = self.critic(self.generator(self.noise(n), training=True), training=True)
            g_loss = wasserstein_loss(1.0, scores)
        apply(self.optimizer, tape, g_loss, self.generator.trainable_variables)
        return {"critic": critic_loss / self.config.n_critic, "g": g_loss}


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> WGAN:
    return WGAN(config, scale_images(dataset.x_train, config.pixel_range))


def sampler(config: Config, generator: keras.Model) -> Sampler:
    return image_sampler(generator, config.z_dim, config.noise, config.pixel_range)
