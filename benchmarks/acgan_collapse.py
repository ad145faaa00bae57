"""Is ACGAN's early collapse the seed's algorithm or ganbench's? The same seed-004 networks
trained side by side two ways from the same seed, scored on the same fixed noise:

- ganbench's compiled step (`models/acgan`, what the train stage runs), and
- the seed-style loop of `benchmarks/seed_loops.py` (train_on_batch / predict, as the
  notebook drives Keras), and
- (`--variants wide-embedding`, a diagnostic, not the seed) ganbench's step with the class
  embedding drawn from U(-1, 1) instead of U(-0.05, 0.05).

    python benchmarks/acgan_collapse.py [--steps 600] [--every 100] [--json FILE]

Every `--every` steps each generator draws 50 images per requested class from one fixed noise
batch; the pinned reference classifier reads them. Printed per step: conditional accuracy
(share read as the requested class), the entropy of the classes read (log 10 = 2.303 for
even cover, 0 for one class) and the within-class pixel spread (mean per-pixel SD over a
class's 50 images, in [0, 1] units; ~0 when the generator ignores its noise). A collapse
in both columns is the seed's algorithm; in ganbench's alone, a defect. Needs the prepared
data (`dvc repro prepare`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import ganbench  # noqa: E402,F401  (first: the pipeline's CPU kernels)

# isort: split
import numpy as np  # noqa: E402

from benchmarks import seed_loops  # noqa: E402
from ganbench.config import params  # noqa: E402
from ganbench.data import splits  # noqa: E402
from ganbench.models.acgan import model as acgan  # noqa: E402
from ganbench.models.base import scale_images  # noqa: E402
from ganbench.plumbing import machine  # noqa: E402
from ganbench.plumbing.schema import NUM_CLASSES  # noqa: E402
from ganbench.scoring import reference  # noqa: E402
from ganbench.training import loop  # noqa: E402

PER_CLASS = 50


def diversity(generator, noise: np.ndarray, classifier) -> dict[str, float]:
    """Conditional accuracy, read-class entropy and within-class pixel SD of one generator."""
    labels = np.repeat(np.arange(NUM_CLASSES), PER_CLASS)
    images = generator.predict([noise, labels[:, None]], batch_size=500, verbose=0)
    unit = (np.asarray(images, np.float64) + 1.0) / 2.0
    read = classifier.predict_classes(unit.astype(np.float32))
    share = np.bincount(read, minlength=NUM_CLASSES) / len(read)
    nonzero = share[share > 0]
    spread = unit.reshape(NUM_CLASSES, PER_CLASS, -1).std(axis=1).mean()
    return {
        "conditional_accuracy": float(np.mean(read == labels)),
        "class_entropy": float(-(nonzero * np.log(nonzero)).sum()),
        "within_class_sd": float(spread),
    }


def widen_embedding(generator) -> None:
    """The class embedding redrawn from U(-1, 1) instead of Keras' U(-0.05, 0.05): a test of
    whether the collapse comes from the generator's near-zero input at the start."""
    (embedding,) = [layer for layer in generator.layers if layer.name.startswith("embedding")]
    (table,) = embedding.get_weights()
    wide = np.random.default_rng(0).uniform(-1.0, 1.0, table.shape)
    embedding.set_weights([wide.astype(table.dtype)])


def run(variant: str, steps: int, every: int, seed: int) -> list[dict[str, float]]:
    config_all = params.load(REPO / "params.yaml")
    config = config_all.gans["acgan"]
    dataset = splits.load(REPO / "data/prepared", config_all.data.dataset)
    classifier = reference.ReferenceNetwork(
        reference.load_pinned(REPO / "references", config_all.data.dataset)[0]
    )
    noise = np.random.default_rng(1234).normal(size=(NUM_CLASSES * PER_CLASS, config.z_dim))
    loop.set_determinism(seed, xla=config.schedule.xla)
    if variant in ("ganbench", "wide-embedding"):
        model = acgan.create(config, dataset, REPO / "data/prepared")
        step, generator = loop.compile_step(model), model.generator
        if variant == "wide-embedding":
            widen_embedding(generator)
    else:
        images = scale_images(dataset.x_train, config.pixel_range)
        step, nets = seed_loops.acgan_loop(config, images, dataset.y_train)
        generator = nets["generator"]
    rows = []
    for done in range(steps + 1):
        if done % every == 0:
            row = {"variant": variant, "step": done, **diversity(generator, noise, classifier)}
            print(json.dumps(row), flush=True)
            rows.append(row)
        if done < steps:
            step()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--every", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--variants", default="ganbench,seed")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    loop.configure_runtime(xla=True)  # before the first TensorFlow op
    print(machine.one_line())
    rows = [
        row
        for variant in args.variants.split(",")
        for row in run(variant, args.steps, args.every, args.seed)
    ]
    if args.json:
        args.json.write_text(json.dumps({"machine": machine.describe(), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
