"""`ganbench sample`: draw from a trained generator without training it again, by family
name (models/<gan>/generator.keras, fed as params.yaml's section for the family says) or by
MLflow Model URI (the generator carries its sampling spec in the registry). Writes the
samples as .npy (values in [0, 1] for images) and, for images, a PNG grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganbench.config import params
from ganbench.models import registry
from ganbench.plumbing import atomic, layout, pictures, stage_outputs
from ganbench.plumbing.errors import InputError
from ganbench.plumbing.schema import NUM_CLASSES


def from_family(gan: str, params_path: str, models_dir: Path | None = None):
    """The trained generator of `gan` with its family's sampler."""
    import keras

    config = params.load(params_path).section(gan, params_path)
    path = (models_dir or layout.path("models")) / gan / "generator.keras"
    network = keras.models.load_model(stage_outputs.require(path, f"train@{gan}"))
    return registry.module(gan).sampler(config, network)


def from_uri(uri: str):
    """A registered generator, sampled as the spec logged with it says."""
    from ganbench.models.base import Sampler
    from ganbench.plumbing import tracking

    network, metadata = tracking.load_keras_model(uri)
    if "latent_shape" not in metadata:
        raise InputError(f"{uri}: not a ganbench generator (no sampling spec in its metadata)")
    spec = {k: metadata[k] for k in Sampler.__dataclass_fields__ if k in metadata}
    return Sampler.from_spec(network, spec)


def write(sampler, count: int, seed: int, classes: list[int] | None, out: Path) -> list[Path]:
    """Draw `count` samples (of the given classes, in turn, for a conditional generator)
    and write samples.npy and, for images, samples.png; returns the files."""
    if classes and not sampler.conditional:
        raise InputError("--classes: this generator is not conditional")
    if classes and not all(0 <= c < NUM_CLASSES for c in classes):
        raise InputError(f"--classes: expected classes in 0..{NUM_CLASSES - 1}, got {classes}")
    wanted = np.resize(np.asarray(classes), count) if classes else None
    samples = sampler.generate(count, seed, classes=wanted)
    atomic.ensure_writable(out)
    written = [out / "samples.npy"]

    def save(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.save(handle, samples)

    atomic.write_with(written[0], save)
    if sampler.pixel_range is not None:
        columns = min(10, count)
        labels = [str(c) for c in wanted] if wanted is not None else None
        title = f"{count} samples, seed {seed}" + (f", classes {classes}" if classes else "")
        pictures.image_grid(samples, out / "samples.png", columns, title, labels)
        written.append(out / "samples.png")
    return written
