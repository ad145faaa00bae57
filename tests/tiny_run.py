"""Train a tiny family in this process and save its state; run as a fresh process by tests.

Usage: python -m tests.tiny_run GAN WORK_DIR OUT.npz [STOP_AFTER]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ganbench import training
from tests.tiny import build, weights


def main() -> None:
    gan, work, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    stop_after = int(sys.argv[4]) if len(sys.argv) > 4 else None
    model, _ = build(gan, work)
    checkpointer = training.Checkpointer(work / "checkpoint.npz", model, "tiny")
    result = training.train(
        model, checkpointer, lambda step, losses: None, lambda s: None, stop_after, progress=False
    )
    arrays = {f"v{i}": w for i, w in enumerate(weights(model))}
    np.savez(out, steps=result.steps, resumed_from=result.resumed_from, **arrays)


if __name__ == "__main__":
    main()
