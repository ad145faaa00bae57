import gzip

import numpy as np
import pytest

from ganbench.data import idx


@pytest.mark.parametrize("name", ["images", "images.gz"])
def test_round_trip_raw_and_gzip(tmp_path, name):
    array = np.random.default_rng(0).integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    path = tmp_path / name
    idx.write(path, array)
    np.testing.assert_array_equal(idx.read(path, idx.IMAGES_RANK), array)


def test_labels_round_trip(tmp_path):
    labels = np.arange(10, dtype=np.uint8)
    idx.write(tmp_path / "labels", labels)
    np.testing.assert_array_equal(idx.read(tmp_path / "labels", idx.LABELS_RANK), labels)


def test_bad_magic_names_file_and_expected_magic(tmp_path):
    data = bytearray(idx.encode(np.zeros((2, 28, 28), np.uint8)))
    data[2] = 0x0D  # float type instead of unsigned byte
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(bytes(data))
    with pytest.raises(idx.IdxError, match=r"train-images-idx3-ubyte: bad magic.*0x00000803"):
        idx.read(path, idx.IMAGES_RANK)


def test_wrong_rank_is_refused(tmp_path):
    path = tmp_path / "labels"
    idx.write(path, np.zeros(4, np.uint8))
    with pytest.raises(idx.IdxError, match="bad magic"):
        idx.read(path, idx.IMAGES_RANK)


def test_zero_dimension_is_refused(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(bytes([0, 0, 8, 3]) + (0).to_bytes(4, "big") + (28).to_bytes(4, "big") * 2)
    with pytest.raises(idx.IdxError, match="bad dimensions"):
        idx.read(path, idx.IMAGES_RANK)


def test_truncated_payload_names_file_and_lengths(tmp_path):
    data = idx.encode(np.zeros((3, 28, 28), np.uint8))
    path = tmp_path / "t10k-images-idx3-ubyte"
    path.write_bytes(data[:-10])
    with pytest.raises(idx.IdxError, match=r"t10k-images-idx3-ubyte: truncated.*2368"):
        idx.read(path, idx.IMAGES_RANK)


def test_truncated_header(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0]))
    with pytest.raises(idx.IdxError, match="truncated header"):
        idx.read(path, idx.IMAGES_RANK)


def test_trailing_bytes_are_refused(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(idx.encode(np.zeros(4, np.uint8)) + b"\x00")
    with pytest.raises(idx.IdxError, match="trailing bytes"):
        idx.read(path, idx.LABELS_RANK)


def test_corrupt_gzip_names_file(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx.encode(np.zeros(4, np.uint8)))[:-6])
    with pytest.raises(idx.IdxError, match=r"labels.gz: corrupt gzip"):
        idx.read(path, idx.LABELS_RANK)
