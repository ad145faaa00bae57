"""`ganbench score`: a generator from outside the pipeline, on the benchmark's scale.

Images (an .npy or .npz array of N x 28 x 28 or N x 28 x 28 x 1) or a generator file (Keras
.keras, or ONNX .onnx from any framework) are scored with the evaluate stage's own metric
functions, sample size, real set and floor, in the feature space of the pinned reference
network (or another one given), with FID∞ (FID-style extrapolated to infinitely many
samples) beside FID-style at N and, with --sample-seeds, every figure over several sample
draws. The result carries the reference's weights hash: FID-style compares with
metrics/<gan>.json when the hashes and N match, FID∞ when the hashes match.

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

from ganbench.config import params
from ganbench.config.params import EvaluateParams
from ganbench.data import splits
from ganbench.plumbing import layout
from ganbench.plumbing.errors import InputError
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
    """`count` images from a Keras or ONNX generator file, fed as the given noise spec
    says: the same latents from the same seed, whichever format holds the network."""
    return generated_draws(path, count, [seed], z_dim, noise, pixel_range, conditional)[0]


def generated_draws(
    path: Path,
    count: int,
    seeds: list[int],
    z_dim: int,
    noise: str,
    pixel_range: str,
    conditional: bool,
) -> list[np.ndarray]:
    """One draw of `count` images per seed, from the generator file loaded once."""
    from ganbench.models.base import Sampler

    network = load_generator(path, z_dim, conditional)
    sampler = Sampler(network, (z_dim,), noise, pixel_range, conditional=conditional)
    draws = []
    for seed in seeds:
        try:
            pixels = sampler.generate(count, seed)
        except (ValueError, TypeError) as err:
            summary = str(err).splitlines()[0]
            raise InputError(f"{path}: does not take this noise spec ({summary})") from err
        draws.append(unit_images(np.asarray(pixels, np.float32), str(path)))
    return draws


GENERATOR_SUFFIXES = (".keras", ".onnx")


def load_generator(path: Path, z_dim: int, conditional: bool) -> Any:
    """A .keras generator, or an .onnx one behind the same `predict`."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.suffix == ".onnx":
        from ganbench.commands.onnx_generator import OnnxGenerator

        return OnnxGenerator(path, z_dim, conditional)
    import keras

    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a Keras archive (a .keras file is a zip archive)")
    try:
        return keras.models.load_model(path, compile=False)
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: not a Keras model file ({err})") from err


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


def array_draws(
    images: np.ndarray, samples: int, seeds: list[int], source: str
) -> list[np.ndarray]:
    """Seeded subsets of `samples` images, one per seed (the whole array when it holds just
    `samples` and one draw is asked for): the draws of an image file, as the evaluate stage
    draws its test set."""
    if len(images) == samples and len(seeds) == 1:
        return [images]
    if len(images) <= samples:
        raise InputError(
            f"--sample-seeds {len(seeds)}: {source} holds {len(images)} images, so every draw "
            f"of {samples} would be the same; give more images, or a generator"
        )
    return [
        images[np.sort(np.random.default_rng(seed).choice(len(images), samples, replace=False))]
        for seed in seeds
    ]


def score(
    draws: list[np.ndarray],
    seeds: list[int],
    dataset: splits.Dataset,
    p: EvaluateParams,
    net: reference.ReferenceNetwork,
) -> dict[str, Any]:
    """The evaluate stage's figures of the first draw (unit-range images), its FID∞ beside
    its FID-style at N, the floor's likewise; with several draws (sample seeds), every
    figure's mean and SD over them."""
    from ganbench.scoring import image_scores
    from ganbench.stages import evaluate

    yardstick = image_scores.Yardstick.build(net, dataset, p)
    scored = [evaluate.extrapolated(yardstick, images)[0] for images in draws]
    floor = evaluate.extrapolated_floor(yardstick)
    result = {
        **scored[0],
        "samples": p.samples,
        "sample_seeds": seeds,
        "reference_weights_hash": yardstick.weights_hash,
        "real_samples": p.real_samples,
        "classifier_score_max": float(NUM_CLASSES),
        "kid_note": image_scores.KID_NOTE,
        "floor": floor,
    }
    if len(scored) > 1:
        result["sample_draws"] = image_scores.over_draws(scored, seeds)
    return result


def table(metrics: dict[str, Any]) -> str:
    width = max(len(label) for _, label in IMAGE_METRICS)
    draws = metrics.get("sample_draws")
    header = f"{'metric':{width}} {'yours':>12} {'floor':>12}"
    rows = [header + (f" {'mean over draws':>16} {'SD':>9}" if draws else "")]
    for key, label in IMAGE_METRICS:
        row = f"{label:{width}} {metrics[key]:12.4f} {metrics['floor'][key]:12.4f}"
        if draws:
            spread = draws["figures"][key]
            row += f" {spread['mean']:16.4f} {spread['sd']:9.4f}"
        rows.append(row)
    ours, floor = metrics["fid_infinity"], metrics["floor"]["fid_infinity"]
    row = (
        f"{'FID-style at N → ∞':{width}} {ours['fid_infinity']:12.4f} {floor['fid_infinity']:12.4f}"
    )
    if draws:
        spread = draws["figures"]["fid_infinity"]
        row += f" {spread['mean']:16.4f} {spread['sd']:9.4f}"
    rows.append(row)
    sizes = ", ".join(f"{n:,}" for n in ours["sizes"])
    rows.append(
        f"{metrics['samples']} samples (FID∞ from FID-style at N = {sizes}, ± "
        f"{ours['fid_infinity_sd']:.4f} over {ours['draws']} subset draws); "
        + (f"{len(draws['seeds'])} sample draws, seeds {draws['seeds']}; " if draws else "")
        + f"reference weights {metrics['reference_weights_hash']}. FID-style compares only at "
        "the same N, FID∞ across N; both only with the same reference hash and real set."
    )
    return "\n".join(rows)
