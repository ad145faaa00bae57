"""The benchmark used from outside the pipeline: `ganbench score` on images and generator
files, `ganbench sample` from a trained family, and bad input refused in one line."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import numpy as np
import pytest

from ganbench.commands import main, sample, score
from ganbench.models import registry
from ganbench.plumbing import params
from ganbench.plumbing.errors import InputError
from ganbench.scoring import reference
from ganbench.training import loop
from tests.tiny import REPO, tiny_dataset


@pytest.fixture(scope="module", autouse=True)
def deterministic_runtime():
    loop.configure_runtime(xla=False)


def tiny_settings():
    config = params.load(REPO / "params.yaml")
    p = dataclasses.replace(
        config.section("evaluate"),
        samples=40,
        real_samples=60,
        kid_subsets=3,
        kid_subset_size=20,
    )
    net_params = dataclasses.replace(config.section("reference"), filters=(4, 8), feature_units=8)
    loop.set_determinism(0, xla=False)
    return p, reference.ReferenceNetwork(reference.build(net_params))


def test_real_test_images_score_near_the_floor_and_an_untrained_generator_far_from_it(tmp_path):
    p, net = tiny_settings()
    dataset = tiny_dataset()
    real = score.unit_images(dataset.x_test, "test images")
    near = score.score(real, dataset, p, net)
    assert near["reference_weights_hash"] == net.weights_hash
    assert near["fid"] == pytest.approx(near["floor"]["fid"], rel=0.5, abs=0.05)

    config = params.load(REPO / "params.yaml").section("dcgan")
    loop.set_determinism(0, xla=False)
    generator = registry.module("dcgan").build_networks(config)["generator"]
    path = tmp_path / "untrained.keras"
    generator.save(path)
    images = score.generated_images(path, 40, 0, 100, "uniform_symmetric", "symmetric", False)
    far = score.score(images, dataset, p, net)
    assert far["fid"] > 10 * max(near["fid"], near["floor"]["fid"])
    assert far["classifier_score"] < near["classifier_score"]


def test_pixel_values_are_taken_in_every_accepted_range():
    uint8 = np.full((3, 28, 28), 255, np.uint8)
    assert score.unit_images(uint8, "x").max() == 1.0
    symmetric = np.full((3, 28, 28, 1), -1.0, np.float32)
    assert score.unit_images(symmetric, "x", "symmetric").max() == 0.0
    assert score.unit_images(np.zeros((3, 28, 28)), "x").shape == (3, 28, 28, 1)


def error_of(argv, capsys) -> str:
    with pytest.raises(SystemExit) as exited:
        main.main(argv)
    assert exited.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(
    ("array", "expected"),
    [
        (np.zeros((6000, 784), np.uint8), "images of shape (6000, 784); expected N x 28 x 28"),
        (np.zeros((50, 28, 28), np.uint8), "50 images; the benchmark scores 5000"),
        (np.full((6000, 28, 28), np.nan, np.float32), "4704000 values are NaN or infinite"),
        (np.full((6000, 28, 28), 255.0, np.float32), "values in [255, 255]; expected [0, 1]"),
        (np.zeros((6000, 28, 28), np.int64), "values of type int64; expected uint8 or float"),
    ],
)
def test_bad_images_are_one_line_naming_the_file(array, expected, tmp_path, capsys):
    path = tmp_path / "images.npy"
    np.save(path, array)
    message = error_of(["score", str(path)], capsys)
    assert message.startswith(f"score: error: {path}: ")
    assert expected in message


def truncated_npy(path, shape):
    """An .npy whose header claims `shape` of uint8 but which holds ten bytes of data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": shape}
    )
    path.write_bytes(header.getvalue())  # the magic string, then the header
    with path.open("ab") as tail:
        tail.write(bytes(10))


def test_hostile_files_are_one_line_before_anything_is_read(tmp_path, capsys):
    huge = tmp_path / "huge.npy"
    truncated_npy(huge, (1_000_000_000, 28, 28))
    message = error_of(["score", str(huge)], capsys)
    assert message.startswith(f"score: error: {huge}: its header declares 1000000000x28x28 uint8")
    assert "but 10 bytes follow it: truncated or damaged" in message
    packed = tmp_path / "packed.npz"
    truncated_npy(tmp_path / "images.npy", (1_000_000_000, 28, 28))
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(tmp_path / "images.npy", "images.npy")
    assert "[images.npy]: its header declares" in error_of(["score", str(packed)], capsys)
    not_zip = tmp_path / "generator.keras"
    not_zip.write_text("this is not a model")
    message = error_of(["score", str(not_zip), "--z-dim", "100"], capsys)
    assert (
        message == f"score: error: {not_zip}: not a Keras archive (a .keras file is a zip archive)"
    )
    garbage = tmp_path / "garbage.npy"
    garbage.write_bytes(b"not numpy at all")
    assert "not a NumPy .npy file" in error_of(["score", str(garbage)], capsys)


def test_missing_files_and_too_few_samples_are_one_line(tmp_path, capsys):
    path = tmp_path / "images.npy"
    np.save(path, np.zeros((200, 28, 28), np.uint8))
    assert "no such file" in error_of(["score", str(tmp_path / "none.npy")], capsys)
    missing = error_of(["score", str(path), "--reference", str(tmp_path / "r.keras")], capsys)
    assert "no reference network there" in missing
    few = error_of(["score", str(path), "--samples", "100"], capsys)
    assert "too few for the covariance of 128 features" in few


def test_sample_writes_a_grid_and_the_array_and_refuses_classes_for_unconditional(tmp_path, capsys):
    config = params.load(REPO / "params.yaml").section("acgan")
    loop.set_determinism(0, xla=False)
    module = registry.module("acgan")
    drawer = module.sampler(config, module.build_networks(config)["generator"])
    written = sample.write(drawer, 12, 3, [3, 5], tmp_path / "out")
    samples = np.load(tmp_path / "out" / "samples.npy")
    assert samples.shape == (12, 28, 28, 1) and 0.0 <= samples.min() <= samples.max() <= 1.0
    assert [p.name for p in written] == ["samples.npy", "samples.png"]
    again = drawer.generate(12, 3, classes=np.resize([3, 5], 12))
    np.testing.assert_array_equal(samples, again)  # the same seed draws the same samples
    dcgan = registry.module("dcgan")
    plain_config = params.load(REPO / "params.yaml").section("dcgan")
    plain = dcgan.sampler(plain_config, dcgan.build_networks(plain_config)["generator"])
    with pytest.raises(InputError, match="--classes: this generator is not conditional"):
        sample.write(plain, 4, 0, [1], tmp_path / "plain")
