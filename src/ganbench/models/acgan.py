"""ACGAN of seed 004: a class-conditional generator (noise times a learned class embedding)
and a discriminator with two heads, real/fake (sigmoid) and class (softmax).

Per iteration: discriminator on a real batch (target real, true labels), then on a fake
batch (target fake, the sampled labels), then the generator through the frozen
discriminator with (real, sampled labels). Each loss is BCE + sparse categorical CE.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench import plots
from ganbench.models.base import (
    AdamParams,
    ScheduleParams,
    TwoOptimizerGan,
    apply,
    bce_logits,
    noise_check,
    pixel_range_check,
    scale_images,
    unscale_images,
)
from ganbench.params import NUM_CLASSES, checked, each, positive, unit_interval


@dataclass(frozen=True)
class GeneratorParams:
    dense_units: int = checked(positive)
    base_shape: tuple[int, ...] = checked(each(positive))
    filters: tuple[int, ...] = checked(each(positive))  # after each UpSampling2D
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)


@dataclass(frozen=True)
class DiscriminatorParams:
    filters: tuple[int, ...] = checked(each(positive))
    strides: int = checked(positive)
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)
    dropout: float = checked(unit_interval)
    # The seed's LeakyReLU() after Flatten takes Keras' default slope, 0.3.
    final_leaky_slope: float = checked(unit_interval)


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    generator: GeneratorParams
    discriminator: DiscriminatorParams
    optimizer_d: AdamParams
    optimizer_g: AdamParams
    fakes_in_inference_mode: bool  # seed: gen_img = generatorModel.predict(...)


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    latent = keras.Input((z_dim,))
    label = keras.Input((1,), dtype="int32")
    embedded = layers.Flatten()(layers.Embedding(NUM_CLASSES, z_dim)(label))
    h = layers.Multiply()([latent, embedded])
    h = layers.LeakyReLU(negative_slope=p.leaky_slope)(layers.Dense(p.dense_units)(h))
    h = layers.Dense(int(np.prod(p.base_shape)))(h)
    h = layers.Reshape(p.base_shape)(layers.LeakyReLU(negative_slope=p.leaky_slope)(h))
    for filters in p.filters:
        h = layers.UpSampling2D()(h)
        h = layers.Conv2DTranspose(filters, p.kernel, padding="same")(h)
        h = layers.LeakyReLU(negative_slope=p.leaky_slope)(h)
    image = layers.Conv2DTranspose(1, p.kernel, padding="same", activation="tanh")(h)
    return keras.Model([latent, label], image, name="generator")


def build_discriminator(p: DiscriminatorParams) -> keras.Model:
    image = keras.Input((28, 28, 1))
    h = image
    for filters in p.filters:
        h = layers.Conv2D(filters, p.kernel, strides=p.strides, padding="same")(h)
        h = layers.Dropout(p.dropout)(layers.LeakyReLU(negative_slope=p.leaky_slope)(h))
    h = layers.LeakyReLU(negative_slope=p.final_leaky_slope)(layers.Flatten()(h))
    real_fake = layers.Dense(1, name="generation")(h)  # sigmoid inside the loss
    class_logits = layers.Dense(NUM_CLASSES, name="auxiliary")(h)  # softmax inside the loss
    return keras.Model(image, [real_fake, class_logits], name="discriminator")


def two_head_loss(
    real_fake_target: float, labels: tf.Tensor, outputs: tuple[tf.Tensor, tf.Tensor]
) -> tf.Tensor:
    """BCE on the real/fake head plus sparse categorical CE on the class head (weights 1)."""
    real_fake_logit, class_logits = outputs
    class_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, class_logits)
    return bce_logits(real_fake_target, real_fake_logit) + tf.reduce_mean(class_loss)


class ACGAN(TwoOptimizerGan):
    def __init__(self, config: Config, images: np.ndarray, image_labels: np.ndarray):
        super().__init__(config.schedule, config.pixel_range, config.z_dim, config.noise, images)
        self.config = config
        self.image_labels = tf.constant(image_labels.astype(np.int32))
        generator = build_generator(config.z_dim, config.generator)
        discriminator = build_discriminator(config.discriminator)
        self.attach(generator, discriminator, config.optimizer_d, config.optimizer_g)

    def sampled_labels(self, n: int) -> tf.Tensor:
        return self.rng.uniform((n,), 0, NUM_CLASSES, dtype=tf.int32)

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        d_vars = self.discriminator.trainable_variables
        idx = self.rng.uniform((n,), 0, tf.shape(self.images)[0], dtype=tf.int32)
        real, labels = tf.gather(self.images, idx), tf.gather(self.image_labels, idx)
        z, fake_labels = self.noise(n), self.sampled_labels(n)
        fake = self.generator(
            [z, fake_labels[:, None]], training=not self.config.fakes_in_inference_mode
        )
        with tf.GradientTape() as tape:
            d_real = two_head_loss(1.0, labels, self.discriminator(real, training=True))
        apply(self.opt_d, tape, d_real, d_vars)
        with tf.GradientTape() as tape:
            d_fake = two_head_loss(0.0, fake_labels, self.discriminator(fake, training=True))
        apply(self.opt_d, tape, d_fake, d_vars)
        # the seed reuses the same noise and sampled labels for the generator step
        with tf.GradientTape() as tape:
            fooled = self.discriminator(
                self.generator([z, fake_labels[:, None]], training=True), training=True
            )
            g_loss = two_head_loss(1.0, fake_labels, fooled)
        apply(self.opt_g, tape, g_loss, self.generator.trainable_variables)
        return {"d": 0.5 * (d_real + d_fake), "g": g_loss}

    def generate_classes(self, classes: np.ndarray, seed: int) -> np.ndarray:
        z = self.noise(len(classes), tf.random.Generator.from_seed(seed))
        images = self.generator.predict(
            [z, np.asarray(classes, np.int32)[:, None]], batch_size=500, verbose=0
        )
        return unscale_images(images, self.pixel_range)

    def generate(self, count: int, seed: int) -> np.ndarray:
        return self.generate_classes(np.arange(count) % NUM_CLASSES, seed)

    def save_samples(self, path: Path, step: int) -> None:
        """One generated digit per class in a 2 x 5 grid, as the seed intends."""
        digits = np.arange(NUM_CLASSES)
        images = self.generate_classes(digits, seed=1234)
        plots.image_grid(images, path, 5, f"step {step}", [str(d) for d in digits])


def create(config: Config, dataset, prepared_dir: Path) -> ACGAN:
    return ACGAN(config, scale_images(dataset.x_train, config.pixel_range), dataset.y_train)
