"""The benchmark used from outside the pipeline: `ganbench score` on images and generator
files, `ganbench sample` from a trained family, and bad input refused in one line."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile

import numpy as np
import pytest

from ganbench.commands import main, sample, score, submit
from ganbench.config import params
from ganbench.models import registry
from ganbench.plumbing.errors import InputError
from ganbench.scoring import fid_infinity, reference
from ganbench.training import loop
from tests.onnx_graphs import sequential_to_onnx
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
    near = score.score([real], [0], dataset, p, net)
    assert near["reference_weights_hash"] == net.weights_hash
    assert near["fid"] == pytest.approx(near["floor"]["fid"], rel=0.5, abs=0.05)

    config = params.load(REPO / "params.yaml").section("dcgan")
    loop.set_determinism(0, xla=False)
    generator = registry.module("dcgan").build_networks(config)["generator"]
    path = tmp_path / "untrained.keras"
    generator.save(path)
    images = score.generated_images(path, 40, 0, 100, "uniform_symmetric", "symmetric", False)
    far = score.score([images], [0], dataset, p, net)
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


def test_fid_infinity_removes_the_sample_size_bias_of_fid():
    """Gaussian features whose true Fréchet distance to the real ones is 32 x 0.5² = 8: FID
    on a few hundred samples sits well above it (its bias grows as 1/N), FID∞ lands on it
    on average over independent generated sets."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(40000, 32))
    fits = [
        fid_infinity.extrapolate(rng.normal(0.5, 1.0, size=(3000, 32)), real, seed=s, draws=5)
        for s in range(4)
    ]
    assert np.mean([f["fid_infinity"] for f in fits]) == pytest.approx(8.0, abs=0.15)
    for fit in fits:
        assert fit["sizes"][0] == 600 and fit["sizes"][-1] == 3000
        assert fit["fid_at_sizes"][0] > fit["fid_at_sizes"][-1] > fit["fid_infinity"]
        assert fit["fid_at_sizes"][0] > 8.2 and 0 < fit["fid_infinity_sd"] < 0.3


def sgan_generator_pair(tmp_path):
    """The project's SGAN generator as .keras and as an ONNX graph of the same weights, its
    batch norm's statistics moved off their initial values so that they matter."""
    config = params.load(REPO / "params.yaml").section("sgan")
    loop.set_determinism(0, xla=False)
    generator = registry.module("sgan").build_networks(config)["generator"]
    rng = np.random.default_rng(1)
    for layer in generator.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            shifted = rng.normal(0, 0.1, mean.shape).astype(np.float32)
            spread = (0.5 * variance + rng.random(variance.shape)).astype(np.float32)
            layer.set_weights([1.3 * gamma, beta + 0.1, shifted, spread])
    keras_path, onnx_path = tmp_path / "g.keras", tmp_path / "g.onnx"
    generator.save(keras_path)
    sequential_to_onnx(generator, onnx_path, config.z_dim)
    return keras_path, onnx_path


def test_an_onnx_generator_scores_as_its_keras_twin_from_the_same_seed(tmp_path):
    keras_path, onnx_path = sgan_generator_pair(tmp_path)
    p, net = tiny_settings()
    dataset = tiny_dataset()
    spec = (40, 7, 100, "normal", "symmetric", False)
    from_keras = score.generated_images(keras_path, *spec)
    from_onnx = score.generated_images(onnx_path, *spec)
    assert np.max(np.abs(from_keras - from_onnx)) < 1e-5
    a = score.score([from_keras], [7], dataset, p, net)
    b = score.score([from_onnx], [7], dataset, p, net)
    for key in ("fid", "kid", "precision", "recall", "classifier_score", "class_entropy"):
        assert b[key] == pytest.approx(a[key], abs=1e-4), key
    assert b["fid_infinity"]["fid_infinity"] == pytest.approx(
        a["fid_infinity"]["fid_infinity"], abs=1e-4
    )


def test_bad_onnx_graphs_are_one_line_naming_the_tensor(tmp_path, capsys):
    import onnx
    from onnx import TensorProto, helper

    garbage = tmp_path / "garbage.onnx"
    garbage.write_bytes(b"not a protobuf at all")
    message = error_of(["score", str(garbage), "--z-dim", "100"], capsys)
    assert message.startswith(f"score: error: {garbage}: not a loadable ONNX model (")
    _, onnx_path = sgan_generator_pair(tmp_path)
    message = error_of(["score", str(onnx_path), "--z-dim", "64"], capsys)
    assert message == (
        f"score: error: {onnx_path}: input 'z' has shape [N, 100] (tensor(float)); "
        "expected a float latent of shape [N, 64] (--z-dim)"
    )
    flat = tmp_path / "flat.onnx"
    graph = helper.make_graph(
        [helper.make_node("Identity", ["z"], ["pixels"])],
        "flat",
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", 784])],
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 784])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(flat))
    message = error_of(["score", str(flat), "--z-dim", "784"], capsys)
    assert message == (
        f"score: error: {flat}: output 'pixels' has shape [N, 784]; expected "
        "[N, 28, 28] or [N, 28, 28, 1]"
    )


def test_sample_seeds_give_each_figure_over_independent_draws(tmp_path, capsys):
    keras_path, _ = sgan_generator_pair(tmp_path)
    p, net = tiny_settings()
    dataset = tiny_dataset()
    seeds = [3, 4, 5]
    draws = [
        score.generated_images(keras_path, 40, s, 100, "normal", "symmetric", False) for s in seeds
    ]
    result = score.score(draws, seeds, dataset, p, net)
    fid = result["sample_draws"]["figures"]["fid"]
    assert result["sample_draws"]["seeds"] == seeds and len(fid["per_draw"]) == 3
    assert fid["per_draw"][0] == result["fid"] and fid["sd"] > 0
    assert fid["mean"] == pytest.approx(np.mean(fid["per_draw"]))
    assert "mean over draws" in score.table(result)
    # an image file holding exactly N images has one draw only
    images = tmp_path / "images.npy"
    np.save(images, np.zeros((5000, 28, 28), np.uint8))
    message = error_of(["score", str(images), "--sample-seeds", "3"], capsys)
    assert "every draw of 5000 would be the same" in message
    assert "must be >= 1" in error_of(["score", str(images), "--sample-seeds", "0"], capsys)


def test_a_submitted_score_is_an_outside_entry_of_the_leaderboard(tmp_path, capsys):
    from ganbench.reporting import paper_results
    from ganbench.stages.report import markdown_table

    _, onnx_path = sgan_generator_pair(tmp_path)
    p, net = tiny_settings()
    images = score.generated_images(onnx_path, 40, 0, 100, "normal", "symmetric", False)
    metrics = {"input": str(onnx_path), **score.score([images], [0], tiny_dataset(), p, net)}
    argv = ["score", str(onnx_path), "--submit", "my-gan", "--out", str(tmp_path / "m.json")]
    written = submit.submit("my-gan", metrics, onnx_path, argv, tmp_path / "results" / "external")
    entry = json.loads(written.read_text())
    assert entry["outside_entry"] and entry["command"] == "ganbench score g.onnx --submit my-gan"
    assert entry["input_sha256"] == hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    assert entry["reference_weights_hash"] == net.weights_hash and entry["samples"] == 40
    assert entry["input"] == "g.onnx" and str(tmp_path) not in written.read_text()
    (tmp_path / "results" / "gan1d-paper").mkdir(parents=True)
    (tmp_path / "results" / "gan1d-paper" / "summary.json").write_text(
        '{"gan": "gan1d", "metric": "w1", "per_seed": {"0": 0.3}, "mean": 0.3}'
    )
    board = paper_results.leaderboard(tmp_path / "results", markdown_table)
    row = next(line for line in board.splitlines() if "my-gan" in line)
    assert row.startswith("| my-gan (outside entry) | 40 | ")
    assert entry["input_sha256"][:12] in row
    message = error_of(["score", str(onnx_path), "--submit", "bad name!"], capsys)
    assert message.startswith("score: error: --submit 'bad name!': expected a name of letters")
