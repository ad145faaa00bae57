"""ACGAN of seed 004: a class-conditional generator (noise times a learned class embedding)
and a discriminator with two heads, real/fake (sigmoid) and class (softmax).

Per iteration: discriminator on a real batch (target real, true labels), then on a fake
batch (target fake, the sampled labels), then the generator through the frozen
discriminator with (real, sampled labels). Each loss is BCE + sparse categorical CE.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.models.acgan import Config, DiscriminatorParams, GeneratorParams
from ganbench.models.base import (
    SAMPLE_SEED,
    Sampler,
    TwoOptimizerGan,
    apply,
    bce_logits,
    full_precision,
    scale_images,
)
from ganbench.plumbing import pictures
from ganbench.plumbing.schema import NUM_CLASSES


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    latent = keras.Input((z_dim,), name="noise")
    label = keras.Input((1,), dtype="int32", name="label")
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
    class_logits = full_precision(class_logits)
    class_loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, class_logits)
    return bce_logits(real_fake_target, real_fake_logit) + tf.reduce_mean(class_loss)


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The generator first, then the discriminator, as the seed builds them."""
    generator = build_generator(config.z_dim, config.generator)
    return {"generator": generator, "discriminator": build_discriminator(config.discriminator)}


class ACGAN(TwoOptimizerGan):
    def __init__(self, config: Config, images: np.ndarray, image_labels: np.ndarray):
        super().__init__(config.schedule, config.pixel_range, config.z_dim, config.noise, images)
        self.config = config
        self.image_labels = tf.constant(image_labels.astype(np.int32))
        nets = build_networks(config)
        self.attach(
            nets["generator"], nets["discriminator"], config.optimizer_d, config.optimizer_g
        )

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

    def sampler(self) -> Sampler:
        return sampler(self.config, self.generator)

    def save_samples(self, path: Path, step: int, caption: str) -> None:
        """Ten generated digits per class, a column each (the seed draws one per class):
        within-class variety, or its collapse, shows down the columns."""
        per_class = 10
        digits = np.tile(np.arange(NUM_CLASSES), per_class)
        images = self.sampler().generate(len(digits), SAMPLE_SEED, classes=digits)
        labels = [str(d) for d in digits[:NUM_CLASSES]] + [""] * (len(digits) - NUM_CLASSES)
        pictures.image_grid(images, path, NUM_CLASSES, caption, labels)


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> ACGAN:
    return ACGAN(config, scale_images(dataset.x_train, config.pixel_range), dataset.y_train)


def sampler(config: Config, generator: keras.Model) -> Sampler:
    """Noise times the requested class's embedding; classes cycle 0..9 unless given."""
    return Sampler(generator, (config.z_dim,), config.noise, config.pixel_range, conditional=True)
