"""Seed-style training loops: compiled Keras sub-models driven by train_on_batch and predict,
with numpy sampling each iteration, exactly as the seed notebooks do. The baseline that
benchmarks/throughput.py compares ganbench's compiled steps against.

Keras 3 note: the seeds freeze the discriminator before compiling the combined model (a
Keras 2 idiom). In Keras 3 that leaves the discriminator with no trainable weights in its
own compiled model too, so it would silently never learn. Here `trainable` is toggled
around each train_on_batch instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
import numpy as np
from keras import layers

from ganbench.data import splits
from ganbench.models.acgan import model as acgan
from ganbench.models.base import adam, rmsprop, scale_images
from ganbench.models.dcgan import model as dcgan
from ganbench.models.gan1d import model as gan1d
from ganbench.models.sgan import model as sgan
from ganbench.models.wgan import model as wgan

Iteration = Callable[[], None]


def _noise(kind: str, shape: tuple[int, ...]) -> np.ndarray:
    if kind == "normal":
        return np.random.normal(0.0, 1.0, shape)
    if kind == "uniform_symmetric":
        return np.random.uniform(-1.0, 1.0, shape)
    return np.random.rand(*shape)


def _with_sigmoid(network: keras.Model) -> keras.Model:
    """The seeds' sigmoid output layer on a network that emits logits."""
    return keras.Sequential([network, layers.Activation("sigmoid")])


def _train(model: keras.Model, x, y, trainable: keras.Model | None = None) -> None:
    if trainable is not None:
        trainable.trainable = True
    model.train_on_batch(x, y)


def _train_frozen(model: keras.Model, x, y, frozen: keras.Model) -> None:
    frozen.trainable = False
    model.train_on_batch(x, y)
    frozen.trainable = True


def sgan_loop(config: sgan.Config, x_lab, y_lab, x_unlab) -> tuple[Iteration, dict]:
    n, z_dim = config.schedule.batch_size, config.z_dim
    d_net = sgan.build_discriminator(config.discriminator)
    d_sup = keras.Sequential([d_net, layers.Activation("softmax")])
    d_sup.compile(loss="categorical_crossentropy", optimizer=adam(config.optimizer_supervised))

    def unsupervised(x):
        return 1.0 - 1.0 / (keras.ops.sum(keras.ops.exp(x), axis=-1, keepdims=True) + 1.0)

    d_unsup = keras.Sequential([d_net, layers.Lambda(unsupervised)])
    d_unsup.compile(loss="binary_crossentropy", optimizer=adam(config.optimizer_unsupervised))
    generator = sgan.build_generator(z_dim, config.generator)
    gan = keras.Sequential([generator, d_unsup])
    gan.compile(loss="binary_crossentropy", optimizer=adam(config.optimizer_generator))
    real, fake = np.ones((n, 1)), np.zeros((n, 1))
    onehot = np.eye(10)[y_lab]

    def iteration() -> None:
        idx = np.random.randint(0, len(x_lab), n)
        unl = x_unlab[np.random.randint(0, len(x_unlab), n)]
        gen_imgs = generator.predict(np.random.normal(0, 1, (n, z_dim)), verbose=0)
        _train(d_sup, x_lab[idx], onehot[idx], d_net)
        _train(d_unsup, unl, real, d_net)
        _train(d_unsup, gen_imgs, fake, d_net)
        z = np.random.normal(0, 1, (n, z_dim))
        generator.predict(z, verbose=0)  # the seed's second, unused predict
        _train_frozen(gan, z, real, d_net)

    return iteration, {"discriminator": d_net, "generator": generator}


def gan1d_loop(config: gan1d.Config) -> tuple[Iteration, dict]:
    n, size = config.schedule.batch_size, config.sample_size
    optimizer = adam(config.optimizer)  # one instance for every model, as the seed
    discriminator = _with_sigmoid(gan1d.build_discriminator(config))
    discriminator.compile(loss="binary_crossentropy", optimizer=optimizer)
    generator = gan1d.build_generator(config)
    combined = keras.Sequential([generator, discriminator])
    combined.compile(loss="binary_crossentropy", optimizer=optimizer)
    # Keras 3 optimizers serve only the variables they were built with: build on both.
    optimizer.build(discriminator.trainable_variables + generator.trainable_variables)
    targets = np.array([1] * n + [0] * n)

    def iteration() -> None:
        for _ in range(config.d_steps):
            real = np.random.normal(config.target_mean, config.target_std, (n, size))
            gen = generator.predict(_noise(config.noise, (n, size)), verbose=0)
            _train(discriminator, np.concatenate([real, gen]), targets, discriminator)
        for _ in range(config.g_steps):
            _train_frozen(combined, _noise(config.noise, (n, size)), np.ones(n), discriminator)

    return iteration, {"discriminator": discriminator, "generator": generator}


def dcgan_loop(config: dcgan.Config, images: np.ndarray) -> tuple[Iteration, dict]:
    n, z_dim = config.schedule.batch_size, config.z_dim
    discriminator = _with_sigmoid(dcgan.build_discriminator(config.discriminator))
    discriminator.compile(loss="binary_crossentropy", optimizer=adam(config.optimizer_d))
    generator = dcgan.build_generator(z_dim, config.generator)
    combined = keras.Sequential([generator, discriminator])
    combined.compile(loss="binary_crossentropy", optimizer=adam(config.optimizer_g))
    targets = np.array([config.real_label] * n + [0.0] * n)

    def iteration() -> None:
        for _ in range(config.d_steps):
            real = images[np.random.randint(0, len(images), n)]
            gen = generator.predict(_noise(config.noise, (n, z_dim)), verbose=0)
            _train(discriminator, np.concatenate([real, gen]), targets, discriminator)
        for _ in range(config.g_steps):
            z = _noise(config.noise, (n, z_dim))
            _train_frozen(combined, z, np.ones(n), discriminator)

    return iteration, {"discriminator": discriminator, "generator": generator}


def wgan_loop(config: wgan.Config, images: np.ndarray) -> tuple[Iteration, dict]:
    n, z_dim, clip = config.schedule.batch_size, config.z_dim, config.clip_value

    def wasserstein(y_true, y_pred):
        return -keras.ops.mean(y_true * y_pred)

    optimizer = rmsprop(config.optimizer)
    critic = wgan.build_critic(config.critic)
    critic.compile(loss=wasserstein, optimizer=optimizer)
    generator = wgan.build_generator(z_dim, config.generator)
    adversarial = keras.Sequential([generator, critic])
    adversarial.compile(loss=wasserstein, optimizer=optimizer)
    optimizer.build(critic.trainable_variables + generator.trainable_variables)
    ones = np.ones((n, 1))

    def iteration() -> None:
        for _ in range(config.n_critic):
            real = images[np.random.randint(0, len(images), n)]
            fake = generator.predict(_noise(config.noise, (n, z_dim)), verbose=0)
            _train(critic, real, ones, critic)
            _train(critic, fake, -ones, critic)
            for layer in critic.layers:
                layer.set_weights([np.clip(w, -clip, clip) for w in layer.get_weights()])
        _train_frozen(adversarial, _noise(config.noise, (n, z_dim)), ones, critic)

    return iteration, {"discriminator": critic, "generator": generator}


def acgan_loop(config: acgan.Config, images, image_labels) -> tuple[Iteration, dict]:
    n, z_dim = config.schedule.batch_size, config.z_dim
    d_logits = acgan.build_discriminator(config.discriminator)
    image = keras.Input((28, 28, 1))
    real_fake, class_logits = d_logits(image)
    discriminator = keras.Model(
        image, [layers.Activation("sigmoid")(real_fake), layers.Activation("softmax")(class_logits)]
    )
    losses = ["binary_crossentropy", "sparse_categorical_crossentropy"]
    discriminator.compile(loss=losses, optimizer=adam(config.optimizer_d))
    generator = acgan.build_generator(z_dim, config.generator)
    noise, label = keras.Input((z_dim,)), keras.Input((1,), dtype="int32")
    combined = keras.Model([noise, label], discriminator(generator([noise, label])))
    combined.compile(loss=losses, optimizer=adam(config.optimizer_g))
    valid, fake = np.ones((n, 1)), np.zeros((n, 1))

    def iteration() -> None:
        idx = np.random.randint(0, len(images), n)
        z = np.random.normal(0, 1, (n, z_dim))
        sampled = np.random.randint(0, 10, n).reshape(-1, 1)
        gen = generator.predict([z, sampled], verbose=0)
        _train(discriminator, images[idx], [valid, image_labels[idx]], discriminator)
        _train(discriminator, gen, [fake, sampled], discriminator)
        _train_frozen(combined, [z, sampled], [valid, sampled], discriminator)

    return iteration, {"discriminator": discriminator, "generator": generator}


def seed_subset(config: sgan.Config, data: splits.Dataset) -> tuple:
    """The seed SGAN's labelled images (the first `count`), their labels, the rest."""
    x = scale_images(data.x_train, config.pixel_range)
    count = config.labelled.count
    return x[:count], data.y_train[:count], x[count:]


# Each seed family's loop, built from its config and the prepared data.
LOOPS: dict[str, Callable[[Any, splits.Dataset], tuple[Iteration, dict]]] = {
    "gan1d": lambda config, data: gan1d_loop(config),
    "dcgan": lambda config, data: dcgan_loop(
        config, scale_images(data.x_train, config.pixel_range)
    ),
    "wgan": lambda config, data: wgan_loop(config, scale_images(data.x_train, config.pixel_range)),
    "acgan": lambda config, data: acgan_loop(
        config, scale_images(data.x_train, config.pixel_range), data.y_train
    ),
    "sgan": lambda config, data: sgan_loop(config, *seed_subset(config, data)),
}


def seed_loop(gan: str, config: Any, data: splits.Dataset) -> Iteration | None:
    """The seed notebook's loop for `gan`, or None for a family without a seed notebook."""
    build = LOOPS.get(gan)
    return build(config, data)[0] if build else None
