"""WGAN with the seed's RMSprop step (Keras 2: lr·g / (√v + ε)) against Keras 3's
(lr·g / √(v + ε)), side by side from the same seed: the size of the generator's first
updates, layer by layer, and the FID-style distance after a short run.

    python benchmarks/wgan_rmsprop.py [--steps 300] [--evaluate-every 100] [--json FILE]

Each variant trains through the train stage (params.yaml's WGAN with only the schedule and
`optimizer.epsilon_outside_sqrt` changed) in a folder of its own under a temporary
directory, scored during training on the progress sample; needs `dvc repro reference`.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from ganbench.config import params  # noqa: E402
from ganbench.data import splits  # noqa: E402
from ganbench.models.wgan import model as wgan  # noqa: E402
from ganbench.plumbing import machine  # noqa: E402
from ganbench.training import loop  # noqa: E402


def first_update_ratio(outside: bool, steps: int) -> dict[str, float]:
    """After `steps` generator steps from the same start, |Δw| of each generator layer with
    the chosen step, divided by |Δw| with the seed's (Keras 2) step."""
    moved = {}
    for variant in (True, outside):
        config_all = params.load(REPO / "params.yaml")
        config = config_all.gans["wgan"]
        optimizer = dataclasses.replace(config.optimizer, epsilon_outside_sqrt=variant)
        config = dataclasses.replace(config, optimizer=optimizer)
        dataset = splits.load(REPO / "data/prepared", config_all.data.dataset)
        loop.set_determinism(0, xla=False)
        model = wgan.create(config, dataset, REPO / "data/prepared")
        start = [w.numpy().copy() for w in model.generator.trainable_weights]
        step = loop.compile_step(model)
        for _ in range(steps):
            step()
        # by position: the second build's layers carry other automatic names
        moved[variant] = [
            (layer_kernel_name(i, w.path), float(np.linalg.norm(w.numpy() - w0)))
            for i, (w, w0) in enumerate(zip(model.generator.trainable_weights, start, strict=True))
            if "kernel" in w.path
        ]
    return {
        name: changed / seed_changed
        for (name, changed), (_, seed_changed) in zip(moved[outside], moved[True], strict=True)
    }


def layer_kernel_name(index: int, path: str) -> str:
    return f"{index}:{path.split('/')[-2].rstrip('_0123456789')}"


def short_run(outside: bool, steps: int, every: int, work: Path) -> list[dict[str, float]]:
    from ganbench.stages import train as train_stage

    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    raw["wgan"]["schedule"].update(
        iterations=steps, evaluate_every=every, log_every=every, sample_every=steps
    )
    raw["wgan"]["optimizer"]["epsilon_outside_sqrt"] = outside
    folder = work / ("keras2" if outside else "keras3")
    folder.mkdir(parents=True)
    (folder / "params.yaml").write_text(yaml.safe_dump(raw))
    paths = train_stage.StagePaths.under(
        folder, REPO / "data/prepared", REPO / "models/reference/classifier.keras"
    )
    train_stage.run("wgan", str(folder / "params.yaml"), paths, progress=False)
    with open(paths.progress / "wgan.csv") as handle:
        return [{k: float(v) for k, v in row.items()} for row in csv.DictReader(handle)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--evaluate-every", type=int, default=100)
    parser.add_argument("--ratio-steps", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    print(f"machine: {machine.one_line()}")
    ratios = first_update_ratio(outside=False, steps=args.ratio_steps)
    print(f"|Δw| after {args.ratio_steps} generator steps, Keras 3 step / seed (Keras 2) step:")
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:.3f}")
    curves = {}
    with tempfile.TemporaryDirectory() as tmp:
        for outside in (False, True):
            curves["keras2" if outside else "keras3"] = short_run(
                outside, args.steps, args.evaluate_every, Path(tmp)
            )
    print("FID-style (progress sample) by generator step:")
    print(f"  {'step':>6} {'Keras 3 step':>13} {'seed step':>10}")
    for k3, k2 in zip(curves["keras3"], curves["keras2"], strict=True):
        print(f"  {int(k3['step']):>6} {k3['fid']:>13.1f} {k2['fid']:>10.1f}")
    if args.json:
        record = {"machine": machine.describe(), "update_ratio": ratios, "curves": curves}
        args.json.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
