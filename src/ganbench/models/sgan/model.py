"""SGAN, the semi-supervised GAN of seed 000: a 10-logit discriminator that is both the
classifier (softmax head) and the real/fake judge (D(x) = Z / (Z + 1), Z = sum exp(logits)).

Per iteration, as the seed: a supervised step on a labelled batch, an unsupervised step on a
real unlabelled batch (target 1), another on a generated batch (target 0), then a generator
step through the frozen discriminator. The unsupervised probability is handled as a logit,
logsumexp(logits), so the losses never take the log of 1 - 1/(Z + 1).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from ganbench.data.splits import Dataset
from ganbench.evaluation.classification import accuracy_report
from ganbench.models.base import (
    Reporter,
    Sampler,
    SemiSupervisedGan,
    adam,
    apply,
    bce_logits,
    image_sampler,
    scale_images,
)
from ganbench.models.semi_supervised import real_fake_logit, split_labelled, supervised_loss
from ganbench.models.sgan import Config, DiscriminatorParams, GeneratorParams
from ganbench.plumbing.schema import NUM_CLASSES, flatten


def build_generator(z_dim: int, p: GeneratorParams) -> keras.Model:
    """Dense -> reshape -> [Conv2DTranspose -> BN -> LeakyReLU]* -> Conv2DTranspose -> tanh."""
    model = keras.Sequential(name="generator")
    model.add(keras.Input((z_dim,)))
    model.add(layers.Dense(int(np.prod(p.base_shape))))
    model.add(layers.Reshape(p.base_shape))
    *hidden, last = zip(p.filters, p.strides, strict=True)
    for filters, stride in hidden:
        model.add(layers.Conv2DTranspose(filters, p.kernel, strides=stride, padding="same"))
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
    model.add(layers.Conv2DTranspose(last[0], p.kernel, strides=last[1], padding="same"))
    model.add(layers.Activation("tanh"))
    return model


def build_discriminator(p: DiscriminatorParams) -> keras.Model:
    """The shared trunk: [Conv2D -> LeakyReLU]* -> Dropout -> Flatten -> Dense(10) logits."""
    model = keras.Sequential(name="discriminator")
    model.add(keras.Input((28, 28, 1)))
    for filters in p.filters:
        model.add(layers.Conv2D(filters, p.kernel, strides=p.strides, padding="same"))
        model.add(layers.LeakyReLU(negative_slope=p.leaky_slope))
    model.add(layers.Dropout(p.dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(NUM_CLASSES))
    return model


def build_networks(config: Config) -> dict[str, keras.Model]:
    """The generator first, then the discriminator, as the seed builds them."""
    generator = build_generator(config.z_dim, config.generator)
    return {"generator": generator, "discriminator": build_discriminator(config.discriminator)}


class SGAN(SemiSupervisedGan):
    config: Config

    def __init__(
        self,
        config: Config,
        labelled_x: np.ndarray,
        labelled_y: np.ndarray,
        unlabelled_x: np.ndarray,
    ):
        super().__init__(config, labelled_x, labelled_y, unlabelled_x, build_networks)
        self.opt_supervised = adam(config.optimizer_supervised)
        self.opt_unsupervised = adam(config.optimizer_unsupervised)
        self.opt_generator = adam(config.optimizer_generator)
        d_vars = self.discriminator.trainable_variables
        self.build_optimizers(
            {
                "supervised": d_vars,
                "unsupervised": d_vars,
                "generator": self.generator.trainable_variables,
            }
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {
            "supervised": self.opt_supervised,
            "unsupervised": self.opt_unsupervised,
            "generator": self.opt_generator,
        }

    def exported(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "classifier": self.classifier()}

    def classifier(self) -> keras.Model:
        """The discriminator with its softmax head: the model SGAN is trained to produce."""
        inputs = keras.Input((28, 28, 1))
        probabilities = layers.Activation("softmax")(self.discriminator(inputs))
        return keras.Model(inputs, probabilities, name="classifier")

    def train_step(self) -> dict[str, tf.Tensor]:
        n = self.schedule.batch_size
        d_vars = self.discriminator.trainable_variables
        g_vars = self.generator.trainable_variables

        # 1. supervised discriminator step on a labelled batch
        idx = self.rng.uniform((n,), 0, tf.shape(self.labelled_y)[0], dtype=tf.int32)
        x_lab, y_lab = tf.gather(self.labelled_x, idx), tf.gather(self.labelled_y, idx)
        with tf.GradientTape() as tape:
            d_sup = supervised_loss(y_lab, self.discriminator(x_lab, training=True))
        apply(self.opt_supervised, tape, d_sup, d_vars)

        # 2. unsupervised discriminator steps: real unlabelled (target 1), then fake (target 0)
        x_real = self.real_batch(n)
        fakes_training = not self.config.fakes_in_inference_mode
        x_fake = self.generator(self.noise(n), training=fakes_training)
        with tf.GradientTape() as tape:
            d_real = bce_logits(1.0, real_fake_logit(self.discriminator(x_real, training=True)))
        apply(self.opt_unsupervised, tape, d_real, d_vars)
        with tf.GradientTape() as tape:
            d_fake = bce_logits(0.0, real_fake_logit(self.discriminator(x_fake, training=True)))
        apply(self.opt_unsupervised, tape, d_fake, d_vars)

        # 3. generator step through the frozen discriminator, "real" targets
        with tf.GradientTape() as tape:
            fooled = self.discriminator(self.generator(self.noise(n), training=True), training=True)
            g_loss = bce_logits(1.0, real_fake_logit(fooled))
        apply(self.opt_generator, tape, g_loss, g_vars)

        return {
            "d_supervised": d_sup,
            "d_unsupervised": 0.5 * (d_real + d_fake),
            "g": g_loss,
        }

    def predict_classes(self, images: np.ndarray) -> np.ndarray:
        logits = self.discriminator.predict(images, batch_size=1000, verbose=0)
        return np.argmax(logits, axis=-1)

    def after_training(self, dataset: Dataset | None, report: Reporter) -> dict[str, object]:
        """Test accuracy of the SGAN classifier, and the supervised baseline, trained here
        on the same labelled images, as its own run."""
        config = self.config
        figures = self.classifier_report(dataset)
        labelled_x, labelled_y = self.labelled_x.numpy(), self.labelled_y.numpy()
        train_acc = float(np.mean(self.predict_classes(labelled_x) == labelled_y))
        with report.run("sgan/baseline", {"role": "supervised_baseline"}) as run:
            run.log_params(flatten(config.baseline, "sgan.baseline."))
            run.log_params(flatten(config.labelled, "sgan.labelled."))
            baseline, losses = train_baseline(config, labelled_x, labelled_y)
            for epoch, loss in enumerate(losses, start=1):
                run.log_metrics({"loss": loss}, step=epoch)
            x_test = scale_images(dataset.x_test, config.pixel_range)
            probabilities = baseline.predict(x_test, batch_size=1000, verbose=0)
            baseline_report = accuracy_report(dataset.y_test, np.argmax(probabilities, axis=-1))
            run.log_metrics({"test_accuracy": baseline_report["accuracy"]})
            report.save_model(baseline, "baseline")
        return {
            **figures,
            "train_labelled_accuracy": train_acc,
            "baseline_test_accuracy": baseline_report["accuracy"],
            "baseline": baseline_report,
            "accuracy_gain_over_baseline": figures["test_accuracy"] - baseline_report["accuracy"],
        }


def train_baseline(
    config: Config, labelled_x: np.ndarray, labelled_y: np.ndarray
) -> tuple[keras.Model, list[float]]:
    """The seed's supervised baseline: a fresh discriminator + softmax fit on the labelled
    examples alone (Keras fit, shuffled, as the notebook's `mnist_classifier.fit`)."""
    p = config.baseline
    net = build_discriminator(config.discriminator)
    inputs = keras.Input((28, 28, 1))
    model = keras.Model(inputs, layers.Activation("softmax")(net(inputs)), name="baseline")
    model.compile(
        optimizer=adam(p.optimizer),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    history = model.fit(
        labelled_x, labelled_y, batch_size=p.batch_size, epochs=p.epochs, verbose=0, shuffle=True
    )
    return model, [float(v) for v in history.history["loss"]]


def create(config: Config, dataset: Dataset, prepared_dir: Path) -> SGAN:
    """SGAN on the configured labelled subset; every other training image is unlabelled."""
    return SGAN(config, *split_labelled(dataset, config.labelled, config.pixel_range, prepared_dir))


def sampler(config: Config, generator: keras.Model) -> Sampler:
    return image_sampler(generator, config.z_dim, config.noise, config.pixel_range)
