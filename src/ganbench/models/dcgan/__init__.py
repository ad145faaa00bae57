"""DCGAN of seed 002: its params.yaml section. Networks and step: model.py.

Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.models.settings import AdamParams, ScheduleParams, noise_check, pixel_range_check
from ganbench.plumbing.schema import checked, each, positive, unit_interval


@dataclass(frozen=True)
class DiscriminatorParams:
    filters: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)
    first_init_stddev: float = checked(positive)  # RandomNormal on the first conv only
    dense_units: int = checked(positive)
    leaky_slope: float = checked(unit_interval)
    dropout: float = checked(unit_interval)


@dataclass(frozen=True)
class GeneratorParams:
    dense_units: int = checked(positive)
    base_shape: tuple[int, ...] = checked(each(positive))
    filters: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    d_steps: int = checked(positive)  # n_iter_D
    g_steps: int = checked(positive)  # n_iter_G
    real_label: float = checked(unit_interval)  # one-sided label smoothing
    discriminator: DiscriminatorParams
    generator: GeneratorParams
    optimizer_d: AdamParams
    optimizer_g: AdamParams
    fakes_in_inference_mode: bool  # seed: generated_images = G.predict(z)
