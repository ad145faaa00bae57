"""SGAN with feature matching (Salimans et al. 2016, not a seed): its params.yaml section.
Networks and step: model.py.

Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.models.settings import (
    AdamParams,
    LabelledParams,
    ScheduleParams,
    noise_check,
    pixel_range_check,
)
from ganbench.plumbing.schema import checked, each, non_negative, positive, unit_interval


@dataclass(frozen=True)
class GeneratorParams:
    units: tuple[int, ...] = checked(each(positive))  # softplus + BN hidden layers


@dataclass(frozen=True)
class DiscriminatorParams:
    units: tuple[int, ...] = checked(each(positive))  # ReLU, weight-normalised hidden layers
    input_noise: float = checked(non_negative)  # std of Gaussian noise added to the input
    hidden_noise: float = checked(non_negative)  # ... and to every hidden layer's output
    init_batch: int = checked(positive)  # images for weight norm's data-dependent init
    weight_init_std: float = checked(positive)  # std of the initial direction vectors v


@dataclass(frozen=True)
class OptimizerParams(AdamParams):
    # The paper's code divides by sqrt(v_hat + epsilon); Keras's Adam divides by
    # sqrt(v_hat) + epsilon / sqrt(1 - beta2^t), a much larger damping in the first steps.
    epsilon_inside_sqrt: bool = checked()


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    labelled: LabelledParams
    generator: GeneratorParams
    discriminator: DiscriminatorParams
    optimizer: OptimizerParams  # one Adam setting for both networks, as the paper's code
    unlabelled_weight: float = checked(non_negative)
    iterations_per_epoch: int = checked(positive)  # an epoch: one pass over unlabelled data
    lr_decay_start_epoch: int = checked(non_negative)  # then linear to 0 at the last epoch
    # The paper's code classifies with a running average of the discriminator's weights,
    # a <- a + rate * (w - a) after every update, started at zero.
    average_rate: float = checked(unit_interval)
