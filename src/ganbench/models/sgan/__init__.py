"""SGAN, the semi-supervised GAN of seed 000: its params.yaml section. Networks and step:
model.py.

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
from ganbench.plumbing.schema import checked, each, positive, unit_interval


@dataclass(frozen=True)
class GeneratorParams:
    base_shape: tuple[int, ...] = checked(each(positive))
    filters: tuple[int, ...] = checked(each(positive))
    strides: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)


@dataclass(frozen=True)
class DiscriminatorParams:
    filters: tuple[int, ...] = checked(each(positive))
    strides: int = checked(positive)
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)
    dropout: float = checked(unit_interval)


@dataclass(frozen=True)
class BaselineParams:
    """The seed's fully supervised comparison: same network, same labelled examples."""

    epochs: int = checked(positive)
    batch_size: int = checked(positive)
    optimizer: AdamParams


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    labelled: LabelledParams
    generator: GeneratorParams
    discriminator: DiscriminatorParams
    optimizer_supervised: AdamParams
    optimizer_unsupervised: AdamParams
    optimizer_generator: AdamParams
    # The seed makes the discriminator's fakes with generator.predict: BatchNorm in
    # inference mode (moving statistics), unlike the generator's own training step.
    fakes_in_inference_mode: bool
    baseline: BaselineParams
