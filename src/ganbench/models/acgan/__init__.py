"""ACGAN of seed 004: its params.yaml section. Networks and step: model.py.

Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.models.settings import AdamParams, ScheduleParams, noise_check, pixel_range_check
from ganbench.plumbing.schema import checked, each, positive, unit_interval


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
