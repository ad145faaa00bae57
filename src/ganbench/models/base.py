"""What every GAN family shares: the config pieces, the on-device data, and the model contract.

A family subclasses `GanModel`, builds its networks and optimizers in `__init__`, and writes
`train_step`, which reads top to bottom like the seed's algorithm box. The shared loop in
`ganbench.training` compiles that step once and drives it; nothing here knows about files.
"""

from __future__ import annotations

import abc
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ganbench import plots
from ganbench.params import checked, non_negative, one_of, positive, unit_interval

SAMPLE_SEED = 1234  # fixed noise for sample grids, as the seeds reuse one noise batch


class Reporter(Protocol):
    """What the training stage offers a family for work beyond the shared loop (the SGAN
    baseline): a tracked run of its own, and a slot in models/<gan>/ for extra networks."""

    def run(self, name: str, tags: dict[str, str]) -> AbstractContextManager[Any]: ...

    def save_model(self, model: keras.Model, name: str) -> None: ...


@dataclass(frozen=True)
class ScheduleParams:
    """How long to train and how often to log, sample and checkpoint."""

    iterations: int = checked(positive)
    batch_size: int = checked(positive)
    seed: int
    log_every: int = checked(positive)
    sample_every: int = checked(positive)
    checkpoint_every: int = checked(positive)
    # Compile the step with XLA; chosen per family by measurement (benchmarks/throughput.py).
    xla: bool
    # Score the current generator every k steps and at the last (0: never); see the
    # evaluate section's progress_* settings for the sample it is scored on.
    evaluate_every: int = checked(non_negative)


@dataclass(frozen=True)
class AdamParams:
    lr: float = checked(positive)
    beta1: float = checked(unit_interval)
    beta2: float = checked(unit_interval)
    epsilon: float = checked(positive)


@dataclass(frozen=True)
class RMSPropParams:
    lr: float = checked(positive)
    rho: float = checked(unit_interval)
    epsilon: float = checked(positive)
    # Keras 2 (the seeds' TF 1.x notebooks) steps lr * g / (sqrt(v) + epsilon); Keras 3
    # steps lr * g / sqrt(v + epsilon), which shrinks small gradients' steps far more.
    epsilon_outside_sqrt: bool = checked()


def adam(p: AdamParams) -> keras.optimizers.Adam:
    return keras.optimizers.Adam(
        learning_rate=p.lr, beta_1=p.beta1, beta_2=p.beta2, epsilon=p.epsilon
    )


class Keras2RMSprop(keras.optimizers.RMSprop):
    """RMSprop as Keras 2 steps it: v <- rho v + (1 - rho) g², w <- w - lr g / (√v + ε)."""

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        velocity = self._velocities[self._get_variable_index(variable)]
        self.assign(
            velocity,
            ops.add(
                ops.multiply(self.rho, velocity), ops.multiply(1 - self.rho, ops.square(gradient))
            ),
        )
        step = ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(velocity), self.epsilon))
        self.assign_sub(variable, step)


def rmsprop(p: RMSPropParams) -> keras.optimizers.RMSprop:
    kind = Keras2RMSprop if p.epsilon_outside_sqrt else keras.optimizers.RMSprop
    return kind(learning_rate=p.lr, rho=p.rho, epsilon=p.epsilon)


PIXEL_RANGES = ("symmetric", "unit")
pixel_range_check = one_of(*PIXEL_RANGES)
noise_check = one_of("normal", "uniform_symmetric", "uniform_unit")


def scale_images(images: np.ndarray, pixel_range: str) -> np.ndarray:
    """uint8 N x 28 x 28 -> float32 N x 28 x 28 x 1 in [-1, 1] ('symmetric') or [0, 1]."""
    x = images.astype(np.float32)
    x = (x - 127.5) / 127.5 if pixel_range == "symmetric" else x / 255.0
    return x[..., np.newaxis]


def unscale_images(images: np.ndarray, pixel_range: str) -> np.ndarray:
    """Generator output -> float in [0, 1] for display and metrics."""
    x = np.asarray(images, dtype=np.float32)
    x = (x + 1.0) / 2.0 if pixel_range == "symmetric" else x
    return np.clip(x, 0.0, 1.0)


def sample_noise(rng: tf.random.Generator, shape: tuple[int, ...], kind: str) -> tf.Tensor:
    """The seed's latent distribution: N(0,1), U(-1,1) or U(0,1)."""
    if kind == "normal":
        return rng.normal(shape)
    if kind == "uniform_symmetric":
        return rng.uniform(shape, -1.0, 1.0)
    return rng.uniform(shape, 0.0, 1.0)


def sample_rows(rng: tf.random.Generator, data: tf.Tensor, batch_size: int) -> tf.Tensor:
    """Rows drawn uniformly with replacement, as the seeds' np.random.randint does."""
    idx = rng.uniform((batch_size,), 0, tf.shape(data, out_type=tf.int64)[0], dtype=tf.int64)
    return tf.gather(data, idx)


def bce_logits(targets: float | tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """Mean binary cross-entropy of sigmoid(logits) against targets, from logits.

    Same loss as Keras' 'binary_crossentropy' on a sigmoid output, without its clipping.
    """
    targets = tf.broadcast_to(tf.cast(targets, logits.dtype), tf.shape(logits))
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(targets, logits))


def apply(optimizer: keras.optimizers.Optimizer, tape: tf.GradientTape, loss, variables) -> None:
    """One optimizer update of `variables` from the tape's gradient of `loss`."""
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables, strict=True))


class GanModel(abc.ABC):
    """One GAN family's networks, optimizers and compiled step."""

    #: pixel range of generated images ("symmetric" or "unit"); None for non-image families
    pixel_range: str | None = None

    def __init__(self, schedule: ScheduleParams):
        self.schedule = schedule
        # Device-side random stream for batches and noise; its state is checkpointed.
        self.rng = tf.random.Generator.from_seed(schedule.seed)

    @abc.abstractmethod
    def networks(self) -> dict[str, keras.Model]:
        """Every network, by name; all are checkpointed, `exported()` ones are saved."""

    @abc.abstractmethod
    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Every optimizer, by name (built before training so their state can be restored)."""

    @abc.abstractmethod
    def train_step(self) -> dict[str, tf.Tensor]:
        """All of the seed's updates for one iteration; returns scalar losses by name."""

    @abc.abstractmethod
    def generate(self, count: int, seed: int) -> np.ndarray:
        """`count` generator outputs in display range, from a fixed seed (inference mode)."""

    def save_samples(self, path: Path, step: int) -> None:
        """A 4 x 4 grid from fixed noise, so grids at different steps are comparable."""
        plots.image_grid(self.generate(16, SAMPLE_SEED), path, 4, f"step {step}")

    def exported(self) -> dict[str, keras.Model]:
        """Networks written to models/<gan>/ at the end (the generator by default)."""
        return {"generator": self.networks()["generator"]}

    def build_optimizers(self, owners: dict[str, list[tf.Variable]]) -> None:
        """Create optimizer slots now, so a checkpoint can be restored before the first step."""
        for name, optimizer in self.optimizers().items():
            optimizer.build(owners[name])

    def state_variables(self) -> list[tf.Variable]:
        """Everything a resumed run needs (weights, BatchNorm statistics, dropout seed state,
        optimizer slots, the random stream), each once, in a stable order."""
        variables: list = []
        for network in self.networks().values():
            variables.extend(network.variables)
        for optimizer in self.optimizers().values():
            variables.extend(optimizer.variables)
        variables.append(self.rng.state)
        unique: dict[int, object] = {}
        for variable in variables:
            unique.setdefault(id(variable), variable)
        return list(unique.values())


class ImageGan(GanModel):
    """A GAN over the training images with an unconditional generator z -> image."""

    generator: keras.Model

    def __init__(
        self, schedule: ScheduleParams, pixel_range: str, z_dim: int, noise: str, images: np.ndarray
    ):
        super().__init__(schedule)
        self.pixel_range = pixel_range
        self.z_dim = z_dim
        self.noise_kind = noise
        self.images = tf.constant(images)

    def noise(self, n: int, rng: tf.random.Generator | None = None) -> tf.Tensor:
        return sample_noise(rng or self.rng, (n, self.z_dim), self.noise_kind)

    def real_batch(self, n: int) -> tf.Tensor:
        return sample_rows(self.rng, self.images, n)

    def generate(self, count: int, seed: int) -> np.ndarray:
        z = self.noise(count, tf.random.Generator.from_seed(seed))
        images = self.generator.predict(z, batch_size=500, verbose=0)
        return unscale_images(images, self.pixel_range)


class TwoOptimizerGan(ImageGan):
    """A generator and a discriminator with one Adam each, as DCGAN and ACGAN compile them."""

    discriminator: keras.Model

    def attach(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        optimizer_d: AdamParams,
        optimizer_g: AdamParams,
    ) -> None:
        """Install the networks (built by the family, in the family's order) and optimizers."""
        self.generator = generator
        self.discriminator = discriminator
        self.opt_d = adam(optimizer_d)
        self.opt_g = adam(optimizer_g)
        self.build_optimizers(
            {
                "discriminator": discriminator.trainable_variables,
                "generator": generator.trainable_variables,
            }
        )

    def networks(self) -> dict[str, keras.Model]:
        return {"generator": self.generator, "discriminator": self.discriminator}

    def optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        return {"discriminator": self.opt_d, "generator": self.opt_g}
