"""SGAN with feature matching: the semi-supervised GAN of Salimans et al. 2016, "Improved
Techniques for Training GANs" (arXiv:1606.03498), with the paper's MNIST recipe.

Not a seed family: an improvement offered beside the seed SGAN (`sgan`), which stays as the
seed has it. What is shared is the K-logit discriminator with the fake class's logit fixed
at 0, so D(x) = Z/(Z+1) with Z = sum(exp(logits)) (paper Sec. 5); what differs is the loss
(cross-entropy on labelled data plus the unsupervised real/fake terms, in one update), the
generator's objective (feature matching, Sec. 3.1), and the networks: MLPs with Gaussian
noise and weight normalisation in the discriminator, batch normalisation in the generator.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganbench.data.splits import Dataset
from ganbench.models.base import (
    Reporter,
    Sampler,
    SemiSupervisedGan,
    adam,
    apply,
    bce_logits,
    full_precision,
    scale_images,
)
from ganbench.models.semi_supervised import real_fake_logit, split_labelled, supervised_loss
from ganbench.models.sgan_fm import Config, DiscriminatorParams, GeneratorParams, OptimizerParams
from ganbench.plumbing.schema import NUM_CLASSES

IMAGE_PIXELS = 28 * 28


@keras.saving.register_keras_serializable(package="ganbench")
class WeightNormDense(layers.Layer):
    """y = act(g * (x . v / |v|) + b) (Salimans & Kingma 2016), with data-dependent init:
    `initialize` sets g and b so the first batch's pre-activations have mean 0 and std 1."""

    def __init__(
        self,
        units: int,
        activation=None,
        train_scale: bool = False,
        init_std: float = 0.05,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = units
        self.activation = keras.activations.get(activation)
        self.train_scale = train_scale
        # |v| does not change the output, but it sets how far one Adam step turns v.
        self.init_std = init_std

    def build(self, input_shape) -> None:
        self.v = self.add_weight(
            name="v",
            shape=(input_shape[-1], self.units),
            initializer=keras.initializers.RandomNormal(stddev=self.init_std),
        )
        self.g = self.add_weight(
            name="g", shape=(self.units,), initializer="ones", trainable=self.train_scale
        )
        self.b = self.add_weight(name="b", shape=(self.units,), initializer="zeros")

    def direction(self, x):
        return tf.matmul(x, self.v) / tf.norm(self.v, axis=0)

    def call(self, x):
        return self.activation(self.direction(x) * self.g + self.b)

    def initialize(self, x) -> tf.Tensor:
        """Set g, b from batch `x`; return this layer's output with them."""
        t = self.direction(x)
        mean, variance = tf.nn.moments(t, axes=[0])
        scale = 1.0 / tf.sqrt(variance + 1e-6)
        self.g.assign(scale)
        self.b.assign(-mean * scale)
        return self.call(x)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "units": self.units,
            "activation": keras.activations.serialize(self.activation),
            "train_scale": self.train_scale,
            "init_std": self.init_std,
        }


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    """z -> [Dense (no bias) -> BN (shift, no scale) -> softplus]* -> weight-normalised Dense
    -> sigmoid (paper's MNIST code: `batch_norm(..., g=None)` and `l2normalize`)."""
    z = keras.Input((z_dim,))
    h = z
    for units in p.units:
        h = layers.Dense(units, use_bias=False)(h)
        h = layers.BatchNormalization(scale=False)(h)
        h = layers.Activation("softplus")(h)
    pixels = WeightNormDense(IMAGE_PIXELS, activation="sigmoid", train_scale=True)(h)
    return keras.Model(z, layers.Reshape((28, 28, 1))(pixels), name="generator")


def build_discriminator(p: DiscriminatorParams, seed: int) -> keras.Model:
    """image -> noise(input) -> [weight-normalised Dense -> ReLU -> noise]* -> Dense(10).

    Outputs the 10 class logits and the last hidden layer (before its noise): the features
    the generator matches."""
    image = keras.Input((28, 28, 1))
    h = layers.Flatten()(image)
    h = layers.GaussianNoise(p.input_noise, seed=seed)(h)
    features = h
    for i, units in enumerate(p.units):
        features = WeightNormDense(units, activation="relu", init_std=p.weight_init_std)(h)
        h = layers.GaussianNoise(p.hidden_noise, seed=seed + i + 1)(features)
    logits = WeightNormDense(NUM_CLASSES, train_scale=True, init_std=p.weight_init_std)(h)
    return keras.Model(image, [logits, features], name="discriminator")


def semi_supervised_losses(
    y_lab: tf.Tensor, logits_lab: tf.Tensor, logits_unl: tf.Tensor, logits_gen: tf.Tensor
) -> tuple[tf.Tensor, tf.Tensor]:
    """(supervised, unsupervised) discriminator losses of Salimans et al. Sec. 5.

    supervised: cross-entropy of softmax(logits) on labelled data;
    unsupervised: -1/2 E log D(x_unl) - 1/2 E log(1 - D(G(z))), D from logsumexp(logits)."""
    supervised = supervised_loss(y_lab, logits_lab)
    unsupervised = 0.5 * bce_logits(1.0, real_fake_logit(logits_unl)) + 0.5 * bce_logits(
        0.0, real_fake_logit(logits_gen)
    )
    return supervised, unsupervised


def feature_matching_loss(features_real: tf.Tensor, features_fake: tf.Tensor) -> tf.Tensor:
    """Mean squared difference of the batch-mean features (Sec. 3.1)."""
    real, fake = full_precision(features_real), full_precision(features_fake)
    gap = tf.reduce_mean(real, axis=0) - tf.reduce_mean(fake, axis=0)
    return tf.reduce_mean(tf.square(gap))


class PaperAdam(keras.optimizers.Adam):
    """Adam as the paper's code writes it (`nn.adam_updates`): w -= lr * m_hat /
    sqrt(v_hat + epsilon). Keras's own update damps small gradients more early on, which
    changes how a feature-matching run starts."""

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        m_hat = ops.divide(m, 1 - ops.power(ops.cast(self.beta_1, dtype), step))
        v_hat = ops.divide(v, 1 - ops.power(ops.cast(self.beta_2, dtype), step))
        change = ops.divide(m_hat, ops.sqrt(ops.add(v_hat, self.epsilon)))
        self.assign_sub(variable, ops.multiply(ops.cast(learning_rate, dtype), change))


def optimizer(p: OptimizerParams) -> keras.optimizers.Adam:
    if not p.epsilon_inside_sqrt:
        return adam(p)
    return PaperAdam(learning_rate=p.lr, beta_1=p.beta1, beta_2=p.beta2, epsilon=p.epsilon)


class EpochDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant, then linear to zero over the last epochs, changing once per epoch, as the
    paper code's CIFAR-10 script does (lr * min(3 - epoch/400, 1) over 1,200 epochs). Its
    MNIST script keeps the rate constant: decay_start = epochs."""

    def __init__(self, lr: float, per_epoch: int, decay_start: int, epochs: float):
        self.lr, self.per_epoch = lr, per_epoch
        self.decay_start, self.epochs = decay_start, epochs

    def __call__(self, step):
        epoch = tf.floor(tf.cast(step, tf.float32) / self.per_epoch)
        span = max(self.epochs - self.decay_start, 1e-9)
        return self.lr * tf.clip_by_value((self.epochs - epoch) / span, 0.0, 1.0)

    def get_config(self) -> dict:
        return {
            "lr": self.lr,
            "per_epoch": self.per_epoch,
            "decay_start": self.decay_start,
            "epochs": self.epochs,
        }


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The generator first, then the discriminator (before its weight-norm init)."""
    generator = build_generator(config.z_dim, config.generator)
    discriminator = build_discriminator(config.discriminator, config.schedule.seed)
    return {"generator": generator, "discriminator": discriminator}


class SGANFeatureMatching(SemiSupervisedGan):
    config: Config

    def __init__(
        self,
        config: Config,
        labelled_x: np.ndarray,
        labelled_y: np.ndarray,
        unlabelled_x: np.ndarray,
    ):
        super().__init__(config, labelled_x, labelled_y, unlabelled_x, build_networks)
        self.initialize_weight_norm()
        # Same architecture; its trainable weights hold the running average (zeros at first),
        # its others (weight norm's fixed scales) are copied from the trained network.
        self.averaged = build_discriminator(config.discriminator, config.schedule.seed)
        for average, weight in zip(self.averaged.weights, self.discriminator.weights, strict=True):
            average.assign(tf.zeros_like(weight) if weight.trainable else weight)
        epochs = config.schedule.iterations / config.iterations_per_epoch
        rate = EpochDecay(
            config.optimizer.lr, config.iterations_per_epoch, config.lr_decay_start_epoch, epochs
        )
        self.opt_d, self.opt_g = optimizer(config.optimizer), optimizer(config.optimizer)
        self.opt_d.learning_rate = rate
        self.opt_g.learning_rate = rate
        self.build_optimizers(
            {
                "discriminator": self.discriminator.trainable_variables,
                "generator": self.generator.trainable_variables,
            }
        )

    def initialize_weight_norm(self) -> None:
        """One forward pass over `init_batch` unlabelled images, layer by layer, noise on."""
        h = self.real_batch(self.config.discriminator.init_batch)
        for layer in self.discriminator.layers[1:]:
            if isinstance(layer, WeightNormDense):
                h = layer.initialize(h)
            else:
                h = layer(h, training=True)

    def networks(self) -> dict[str, keras.Model]:
        return {
            "generator": self.generator,
            "discriminator": self.discriminator,
            "averaged_discriminator": self.averaged,
        }

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"discriminator": self.opt_d, "generator": self.opt_g}

    def exported(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "classifier": self.classifier()}

    def classifier(self, averaged: bool = True) -> keras.Model:
        """Softmax over the class logits (noise off at inference), from the averaged
        weights as the paper's test error, or from the last ones."""
        inputs = keras.Input((28, 28, 1))
        logits, _ = (self.averaged if averaged else self.discriminator)(inputs)
        return keras.Model(inputs, layers.Activation("softmax")(logits), name="classifier")

    def labelled_batch(self, n: int) -> tuple[tf.Tensor, tf.Tensor]:
        """Whole passes over the labelled set, the rest of the batch drawn at random. The
        paper's code tiles the labelled set in permutations, so with n = count (100 labels,
        batch 100) every batch holds each labelled image once; the order inside a batch does
        not matter to the batch-mean losses. (Drawing the rest without replacement needs a
        sort, which costs 8x the whole step under XLA on CPU.)"""
        count = int(self.labelled_y.shape[0])
        passes, rest = divmod(n, count)
        order = [tf.tile(tf.range(count), [passes])] if passes else []
        if rest:
            order.append(self.rng.uniform((rest,), 0, count, dtype=tf.int32))
        order = tf.concat(order, axis=0)
        return tf.gather(self.labelled_x, order), tf.gather(self.labelled_y, order)

    def discriminator_update(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        x_lab, y_lab = self.labelled_batch(n)
        x_unl = self.real_batch(n)
        x_gen = self.generator(self.noise(n), training=True)
        with tf.GradientTape() as tape:
            logits_lab, _ = self.discriminator(x_lab, training=True)
            logits_unl, _ = self.discriminator(x_unl, training=True)
            logits_gen, _ = self.discriminator(x_gen, training=True)
            supervised, unsupervised = semi_supervised_losses(
                y_lab, logits_lab, logits_unl, logits_gen
            )
            loss = supervised + self.config.unlabelled_weight * unsupervised
        apply(self.opt_d, tape, loss, self.discriminator.trainable_variables)
        rate = self.config.average_rate
        for average, weight in zip(
            self.averaged.trainable_variables, self.discriminator.trainable_variables, strict=True
        ):
            average.assign_add(rate * (weight - average))
        return {"d_supervised": supervised, "d_unsupervised": unsupervised}

    def generator_update(self) -> tf.Tensor:
        """Feature matching against a second real batch; only the generator is updated."""
        n = self.schedule.batch_size
        x_real = self.real_batch(n)
        with tf.GradientTape() as tape:
            _, features_fake = self.discriminator(
                self.generator(self.noise(n), training=True), training=True
            )
            _, features_real = self.discriminator(x_real, training=True)
            loss = feature_matching_loss(features_real, features_fake)
        apply(self.opt_g, tape, loss, self.generator.trainable_variables)
        return loss

    def train_step(self) -> dict[str, tf.Tensor]:
        losses = self.discriminator_update()
        return {**losses, "g_feature_matching": self.generator_update()}

    def sampler(self) -> Sampler:
        return sampler(self.config, self.generator)

    def predict_classes(self, images: np.ndarray, averaged: bool = True) -> np.ndarray:
        network = self.averaged if averaged else self.discriminator
        logits, _ = network.predict(images, batch_size=1000, verbose=0)
        return np.argmax(logits, axis=-1)

    def after_training(self, dataset: Dataset | None, report: Reporter) -> dict[str, object]:
        """Test accuracy from the averaged weights, as the paper reports it, and from the
        last weights beside it."""
        figures = self.classifier_report(dataset)
        x_test = scale_images(dataset.x_test, self.pixel_range)
        last = self.predict_classes(x_test, averaged=False)
        last_errors = int(np.sum(last != dataset.y_test))
        return {
            **figures,
            # in the paper's unit: 1 - errors / 10,000
            "test_accuracy": 1.0 - figures["test_errors"] / figures["test_count"],
            "test_accuracy_last_weights": 1.0 - last_errors / len(x_test),
        }


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> SGANFeatureMatching:
    """On the configured labelled subset; every other training image is unlabelled."""
    return SGANFeatureMatching(
        config, *split_labelled(dataset, config.labelled, config.pixel_range, prepared_dir)
    )


def sampler(config: Config, generator: keras.Model) -> Sampler:
    """The paper's generator always normalises with the batch's own statistics."""
    return Sampler(
        generator, (config.z_dim,), config.noise, config.pixel_range, batch_statistics=True
    )
