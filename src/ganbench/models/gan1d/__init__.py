"""The 1-D vanilla GAN of seed 003: its params.yaml section. Networks and step: model.py.

Free of TensorFlow: params validation imports it."""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.models.settings import AdamParams, ScheduleParams, noise_check
from ganbench.plumbing.schema import checked, positive


@dataclass(frozen=True)
class Config:
    schedule: ScheduleParams
    sample_size: int = checked(positive)  # ni_D: draws per sample vector
    target_mean: float
    target_std: float = checked(positive)
    noise: str = checked(noise_check)
    hidden_d: int = checked(positive)  # nh_D
    hidden_g: int = checked(positive)  # nh_G (the seed passes nh_D here; both are 50)
    d_steps: int = checked(positive)  # n_iter_D
    g_steps: int = checked(positive)  # n_iter_G
    optimizer: AdamParams
    histogram_samples: int = checked(positive)  # n_test vectors per histogram

    def target(self) -> tuple[float, float]:
        """Mean and standard deviation of the normal distribution the GAN learns."""
        return self.target_mean, self.target_std
