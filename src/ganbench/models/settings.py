"""The params pieces every GAN family's section is built from: the schedule, the
optimizers' settings, the labelled subset, the pixel range and the noise.

Free of TensorFlow, so that params.yaml is validated in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from ganbench.data.labels import SAMPLINGS
from ganbench.plumbing.schema import checked, non_negative, one_of, positive, unit_interval

PIXEL_RANGES = ("symmetric", "unit")
pixel_range_check = one_of(*PIXEL_RANGES)
noise_check = one_of("normal", "uniform_symmetric", "uniform_unit")


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


@dataclass(frozen=True)
class LabelledParams:
    """Which training images a semi-supervised family sees with their label."""

    count: int = checked(positive)
    seed: int
    sampling: str = checked(one_of(*SAMPLINGS))
