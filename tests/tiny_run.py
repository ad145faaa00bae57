"""Train tiny families in this process and save each one's state; run as a fresh process by
tests, several families per process (each seeded afresh, as its own stage would be).

Usage: python -m tests.tiny_run WORK_DIR STOP_AFTER|all GAN [GAN ...]
writes WORK_DIR/<gan>.npz (steps, resumed_from, every state variable) for each GAN.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ganbench.training import loop
from tests.tiny import build, weights


def main() -> None:
    work, stop, gans = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    stop_after = None if stop == "all" else int(stop)
    for gan in gans:
        folder = work / gan
        model, _ = build(gan, folder)
        checkpointer = loop.Checkpointer(folder / "checkpoint.npz", model, "tiny")
        result = loop.train(
            model, checkpointer, lambda s, losses: None, lambda s: None, stop_after, False
        )
        arrays = {f"v{i}": w for i, w in enumerate(weights(model))}
        np.savez(
            work / f"{gan}.npz", steps=result.steps, resumed_from=result.resumed_from, **arrays
        )


if __name__ == "__main__":
    main()
