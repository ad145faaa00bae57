"""Which CPU kernels TensorFlow's own (non-XLA) ops run on: oneDNN's, on every machine kind.

TensorFlow turns oneDNN on by default only on CPUs with AVX-512 VNNI/BF16 or AMX; on an
AVX2-only CPU its ops fall back to Eigen, whose convolution gradients measured 1.9x slower
for WGAN's step and 1.7x for DCGAN's (benchmarks/results/). The switch is read once, when
TensorFlow loads, so it is set here, from the package's import, before any TensorFlow
import; a user's own `TF_ENABLE_ONEDNN_OPTS=0` still wins. What a run actually used is
recorded beside its numbers (`machine.cpu_kernels`), because the two give different round-off.
"""

from __future__ import annotations

import os
import sys

from ganbench.plumbing.machine import ONEDNN_SWITCH


def prefer_onednn() -> None:
    """Ask for oneDNN kernels unless the user chose, or TensorFlow has already loaded."""
    if "tensorflow" not in sys.modules:
        os.environ.setdefault(ONEDNN_SWITCH, "1")
