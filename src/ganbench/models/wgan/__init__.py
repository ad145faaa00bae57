"""WGAN with weight clipping, seed 001: its params.yaml section. Networks and step: model.py.

Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.models.settings import RMSPropParams, ScheduleParams, noise_check, pixel_range_check
from ganbench.plumbing.schema import checked, each, positive, unit_interval


@dataclass(frozen=True)
class CriticParams:
    filters: tuple[int, ...] = checked(each(positive))
    strides: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)
    leaky_slope: float = checked(unit_interval)


@dataclass(frozen=True)
class GeneratorParams:
    base_shape: tuple[int, ...] = checked(each(positive))
    filters: tuple[int, ...] = checked(each(positive))
    strides: tuple[int, ...] = checked(each(positive))
    kernel: int = checked(positive)


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    z_dim: int = checked(positive)
    noise: str = checked(noise_check)
    pixel_range: str = checked(pixel_range_check)
    n_critic: int = checked(positive)
    clip_value: float = checked(positive)
    critic: CriticParams
    generator: GeneratorParams
    optimizer: RMSPropParams
    fakes_in_inference_mode: bool  # seed: fake_images = generator.predict(noise)
