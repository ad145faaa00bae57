"""DCGAN of seed 002: MLP-then-upsampling generator, max-pooling convolutional discriminator.

One "epoch" of the seed = `d_steps` discriminator steps on a concatenated real + fake batch
with one-sided label smoothing (real target 0.9, fake 0), then `g_steps` generator steps
through the frozen discriminator with target 1. Adam(2e-4, beta1 0.5) for each model.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.models.base import (
    Sampler,
    TwoOptimizerGan,
    apply,
    bce_logits,
    full_precision,
    image_sampler,
    scale_images,
)
from ganbench.models.dcgan import Config, DiscriminatorParams, GeneratorParams


def build_discriminator(p: DiscriminatorParams) -> keras.Model:
    model = keras.Sequential(name="discriminator")
    model.add(keras.Input((28, 28, 1)))
    for i, filters in enumerate(p.filters):
        init = (
            keras.initializers.RandomNormal(stddev=p.first_init_stddev)
            if i == 0
            else "glorot_uniform"
        )
        model.add(layers.Conv2D(filters, p.kernel, padding="same", kernel_initializer=init))
        model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
        model.add(layers.MaxPooling2D(2, strides=2))
        model.add(layers.Dropout(p.dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(p.dense_units))
    model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
    model.add(layers.Dropout(p.dropout))
    model.add(layers.Dense(1))  # the seed's sigmoid is applied inside the loss
    return model


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    model = keras.Sequential(name="generator")
    model.add(keras.Input((z_dim,)))
    model.add(layers.Dense(p.dense_units))
    model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
    model.add(layers.Dense(int(np.prod(p.base_shape))))
    model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
    model.add(layers.BatchNormalization())
    model.add(layers.Reshape(p.base_shape))
    for filters in p.filters:
        model.add(layers.UpSampling2D(2))
        model.add(layers.Conv2D(filters, p.kernel, padding="same", activation="tanh"))
    return model


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The discriminator first, then the generator, as the seed builds them."""
    discriminator = build_discriminator(config.discriminator)
    return {
        "discriminator": discriminator,
        "generator": build_generator(config.z_dim, config.generator),
    }


class DCGAN(TwoOptimizerGan):
    def __init__(self, config: Config, images: np.ndarray):
        super().__init__(config.schedule, config.pixel_range, config.z_dim, config.noise, images)
        self.config = config
        nets = build_networks(config)
        self.attach(
            nets["generator"], nets["discriminator"], config.optimizer_d, config.optimizer_g
        )

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        c = self.config
        d_loss = g_loss = tf.constant(0.0)
        targets = tf.concat([tf.fill((n, 1), c.real_label), tf.zeros((n, 1))], axis=0)
        for _ in range(c.d_steps):
            fake = self.generator(self.noise(n), training=not c.fakes_in_inference_mode)
            x = tf.concat([self.real_batch(n), full_precision(fake)], axis=0)
            with tf.GradientTape() as tape:
                d_loss = bce_logits(targets, self.discriminator(x, training=True))
            apply(self.opt_d, tape, d_loss, self.discriminator.trainable_variables)
        for _ in range(c.g_steps):
            with tf.GradientTape() as tape:
                fake = self.generator(self.noise(n), training=True)
                g_loss = bce_logits(1.0, self.discriminator(fake, training=True))
            apply(self.opt_g, tape, g_loss, self.generator.trainable_variables)
        return {"d": d_loss, "g": g_loss}


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> DCGAN:
    return DCGAN(config, scale_images(dataset.x_train, config.pixel_range))


def sampler(config: Config, generator: keras.Model) -> Sampler:
    return image_sampler(generator, config.z_dim, config.noise, config.pixel_range)
