"""`ganbench score`: a generator from outside the pipeline, on the benchmark's scale.

Images (an .npy or .npz array of N x 28 x 28 or N x 28 x 28 x 1) or a Keras generator file
are scored with the evaluate stage's own metric functions, sample size, real set and floor,
in the feature space of the pinned reference network (or another one given). The result
carries the reference's weights hash: it is comparable with metrics/<gan>.json exactly when
the hashes match.

Accepted pixel values: uint8 in 0..255; floats in [0, 1]; floats in [-1, 1] with
`--pixel-range symmetric` (a tanh generator's range).
"""

from __future__ import annotations

import dataclasses
import math
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np

from ganbench.data import splits
from ganbench.plumbing import layout, params
from ganbench.plumbing.errors import InputError
from ganbench.plumbing.params import EvaluateParams
from ganbench.plumbing.schema import NUM_CLASSES
from ganbench.reporting.metric_labels import IMAGE_METRICS
from ganbench.scoring import reference

IMAGE_SHAPE = (28, 28)


def read_array(path: Path) -> np.ndarray:
    """The image array of an .npy file, or of an .npz file's only (or `images`) array; a
    file whose header declares more data than it holds is refused before anything is read
    (a truncated file claiming a billion images would otherwise ask for terabytes)."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if zipfile.is_zipfile(path):
        return read_npz(path)
    with path.open("rb") as stream:
        check_declared_size(stream, path.stat().st_size, str(path))
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a NumPy .npy/.npz file ({err})") from err


def read_npz(path: Path) -> np.ndarray:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename.removesuffix(".npy"): info for info in archive.infolist()}
            if not (len(members) == 1 or "images" in members):
                raise InputError(
                    f"{path}: holds arrays {sorted(members)}; expected one, or one named `images`"
                )
            info = members["images" if "images" in members else next(iter(members))]
            where = f"{path}[{info.filename}]"
            with archive.open(info) as stream:
                check_declared_size(stream, info.file_size, where)
            with archive.open(info) as stream:
                return np.lib.format.read_array(stream, allow_pickle=False)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise InputError(f"{path}: not a readable .npz file ({err})") from err


def check_declared_size(stream: IO[bytes], size: int, where: str) -> None:
    """Refuse an .npy stream whose header declares other than the bytes it holds."""
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        shape, _, dtype = read_header(stream)
    except (ValueError, EOFError, OSError) as err:
        raise InputError(f"{where}: not a NumPy .npy file ({err})") from err
    if dtype.hasobject:
        raise InputError(f"{where}: holds Python objects; expected numbers")
    declared = math.prod(shape) * dtype.itemsize
    held = size - stream.tell()
    if declared != held:
        raise InputError(
            f"{where}: its header declares {'x'.join(map(str, shape))} {dtype} "
            f"({declared:,} bytes) but {held:,} bytes follow it: truncated or damaged"
        )


def unit_images(array: np.ndarray, source: str, pixel_range: str = "unit") -> np.ndarray:
    """Checked and converted to the reference network's input: float32 N x 28 x 28 x 1 in
    [0, 1]. Every problem is one line naming the source and what was expected."""
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim != 3 or array.shape[1:] != IMAGE_SHAPE:
        raise InputError(
            f"{source}: images of shape {array.shape}; expected N x 28 x 28 or N x 28 x 28 x 1"
        )
    if array.dtype == np.uint8:
        return (array.astype(np.float32) / 255.0)[..., np.newaxis]
    if not np.issubdtype(array.dtype, np.floating):
        raise InputError(f"{source}: values of type {array.dtype}; expected uint8 or float")
    x = array.astype(np.float64)
    if not np.all(np.isfinite(x)):
        bad = int(np.sum(~np.isfinite(x)))
        raise InputError(f"{source}: {bad} values are NaN or infinite")
    low, high = (-1.0, 1.0) if pixel_range == "symmetric" else (0.0, 1.0)
    tolerance = 1e-6
    if x.min() < low - tolerance or x.max() > high + tolerance:
        hint = "" if pixel_range == "symmetric" else " (for [-1, 1]: --pixel-range symmetric)"
        raise InputError(
            f"{source}: values in [{x.min():.4g}, {x.max():.4g}]; expected [{low:g}, {high:g}]"
            + hint
        )
    if pixel_range == "symmetric":
        x = (x + 1.0) / 2.0
    return np.clip(x, 0.0, 1.0).astype(np.float32)[..., np.newaxis]


def generated_images(
    path: Path,
    count: int,
    seed: int,
    z_dim: int,
    noise: str,
    pixel_range: str,
    conditional: bool,
) -> np.ndarray:
    """`count` images from a Keras generator file, fed as the given noise spec says."""
    import keras

    from ganbench.models.base import Sampler

    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix == ".keras" and not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a Keras archive (a .keras file is a zip archive)")
    try:
        network = keras.models.load_model(path, compile=False)
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a Keras model file ({err})") from err
    sampler = Sampler(network, (z_dim,), noise, pixel_range, conditional=conditional)
    try:
        pixels = sampler.generate(count, seed)
    except (ValueError, TypeError) as err:
        summary = str(err).splitlines()[0]
        raise InputError(f"{path}: does not take this noise spec ({summary})") from err
    return unit_images(np.asarray(pixels, np.float32), str(path))


def checked_count(images: np.ndarray, source: str, samples: int, feature_units: int) -> None:
    if len(images) < samples:
        raise InputError(
            f"{source}: {len(images)} images; the benchmark scores {samples} (evaluate.samples)"
            " — give at least that many, or --samples for a smaller, not comparable score"
        )
    if samples <= feature_units:
        raise InputError(
            f"--samples {samples}: too few for the covariance of {feature_units} features "
            f"(need more than {feature_units})"
        )


def settings(config: params.Params, samples: int | None) -> EvaluateParams:
    p: EvaluateParams = config.section("evaluate")
    return p if samples is None else dataclasses.replace(p, samples=samples)


def reference_network(config: params.Params, path: Path | None) -> reference.ReferenceNetwork:
    """The pinned network of the configured dataset, or the .keras file given."""
    import keras

    if path is None:
        model, _ = reference.load_pinned(layout.path("references"), config.data.dataset)
        return reference.ReferenceNetwork(model)
    if not path.is_file():
        raise InputError(f"{path}: no reference network there (run `dvc repro reference`)")
    return reference.ReferenceNetwork(keras.models.load_model(path, compile=False))


def score(
    images: np.ndarray, dataset: splits.Dataset, p: EvaluateParams, net: reference.ReferenceNetwork
) -> dict[str, Any]:
    """The evaluate stage's figures of `images` (unit range), beside the floor."""
    from ganbench.scoring import image_scores

    yardstick = image_scores.Yardstick.build(net, dataset, p)
    if len(images) > p.samples:  # a seeded subset, as the evaluate stage draws its test set
        chosen = np.random.default_rng(p.seed).choice(len(images), p.samples, replace=False)
        images = images[np.sort(chosen)]
    metrics, _ = yardstick.score(images)
    return {
        **metrics,
        "samples": p.samples,
        "reference_weights_hash": yardstick.weights_hash,
        "classifier_score_max": float(NUM_CLASSES),
        "floor": yardstick.floor(),
    }


def table(metrics: dict[str, Any]) -> str:
    width = max(len(label) for _, label in IMAGE_METRICS)
    rows = [f"{'metric':{width}} {'yours':>12} {'floor':>12}"]
    for key, label in IMAGE_METRICS:
        rows.append(f"{label:{width}} {metrics[key]:12.4f} {metrics['floor'][key]:12.4f}")
    rows.append(
        f"{metrics['samples']} samples; reference weights {metrics['reference_weights_hash']} "
        "(comparable with metrics/<gan>.json when its reference_weights_hash is the same)"
    )
    return "\n".join(rows)
