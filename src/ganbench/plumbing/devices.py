"""What the networks run on, and the determinism policy on a GPU.

On the CPU every op this benchmark uses has a deterministic kernel: same seed, bit-identical
weights. On a GPU some gradients have none (TensorFlow's determinism documentation lists,
among others, tf.image.resize's nearest-neighbour gradient, which UpSampling2D runs): with
`compute.deterministic: true` (the default) such a model is refused before training, in one
line naming the op and the param that relaxes it; `false` lets it run, recorded as
non-deterministic. Never a silent non-deterministic run.
"""

from __future__ import annotations

import re
from typing import Any

from ganbench.plumbing.errors import DeterminismError

# Keras layers whose gradient has no deterministic GPU kernel, and the op that lacks it.
NO_DETERMINISTIC_GPU_GRADIENT = {
    "UpSampling2D": "ResizeNearestNeighborGrad (tf.image.resize's nearest-neighbour gradient)",
}
RELAX = "set compute.deterministic: false to run it without bit-identical reruns, or use the CPU"


def gpus() -> list[Any]:
    import tensorflow as tf

    return tf.config.list_physical_devices("GPU")


def check_determinism(networks: dict[str, Any], deterministic: bool) -> None:
    """Refuse, before training, a model that cannot run deterministically on this GPU."""
    if not deterministic or not gpus():
        return
    for name, network in networks.items():
        for layer in network._flatten_layers(include_self=False):
            op = NO_DETERMINISTIC_GPU_GRADIENT.get(type(layer).__name__)
            if op:
                raise DeterminismError(
                    f"compute.deterministic: {type(layer).__name__} in the {name} has no "
                    f"deterministic GPU kernel for {op}; {RELAX}"
                )


def explain(error: Exception) -> DeterminismError | None:
    """TensorFlow's own refusal of a non-deterministic op, as one line naming the op."""
    found = re.search(r"deterministic GPU implementation of (\S+)", str(error))
    if not found:
        return None
    return DeterminismError(
        f"compute.deterministic: {found.group(1)} has no deterministic GPU kernel; {RELAX}"
    )
