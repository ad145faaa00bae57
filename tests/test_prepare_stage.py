"""End to end: `dvc repro prepare` in a temporary copy, on synthetic IDX files."""

import numpy as np
import pytest

from ganbench.data import labels
from ganbench.plumbing import tracking
from tests.repo_copy import dvc, make_copy
from tests.synthetic import make_arrays, write_dataset

pytestmark = pytest.mark.e2e  # spawns processes: make test-quick skips it


@pytest.fixture
def repo(tmp_path):
    source = tmp_path / "idx"
    write_dataset(source, gzipped=True)
    return make_copy(
        tmp_path / "repo",
        {
            "source_dir": str(source),
            "checksum_file": str(source / "SHA256SUMS"),
            "label_counts": [20, 50],
            "label_seeds": [0, 1],
        },
    )


def test_repro_prepare_writes_dataset_and_subsets_then_is_up_to_date(repo):
    first = dvc(repo, "repro", "prepare")
    assert first.returncode == 0, first.stderr
    with np.load(repo / "data/prepared/mnist.npz") as arrays:
        expected = make_arrays()
        np.testing.assert_array_equal(arrays["x_train"], expected["train_images"])
        np.testing.assert_array_equal(arrays["y_test"], expected["test_labels"])
        assert arrays["x_train"].dtype == np.uint8
    subset = labels.load_subset(repo / "data/prepared/labels", 50, 1, "balanced")
    assert len(subset) == 50
    (run,) = tracking.find_runs("prepare")
    assert run.info.status == "FINISHED"
    assert run.data.tags["data_source"] == "local_dir"
    assert run.data.metrics["train_images"] == 200

    second = dvc(repo, "repro", "prepare")
    assert second.returncode == 0
    assert "didn't change, skipping" in second.stdout
    status = dvc(repo, "status", "prepare")
    assert "up to date" in status.stdout


def test_corrupt_source_fails_naming_file_and_leaves_outputs(repo, tmp_path):
    assert dvc(repo, "repro", "prepare").returncode == 0
    before = (repo / "data/prepared/mnist.npz").read_bytes()
    target = tmp_path / "idx" / "train-images-idx3-ubyte.gz"
    data = bytearray(target.read_bytes())
    data[40] ^= 0xFF
    target.write_bytes(bytes(data))

    failed = dvc(repo, "repro", "-f", "prepare")
    assert failed.returncode != 0
    error_lines = [line for line in failed.stderr.splitlines() if "prepare: error:" in line]
    assert len(error_lines) == 1, failed.stderr
    assert "train-images-idx3-ubyte.gz: SHA-256 mismatch" in error_lines[0]
    assert (repo / "data/prepared/mnist.npz").read_bytes() == before
    failed_runs = tracking.find_runs("prepare", "attributes.status = 'FAILED'")
    assert len(failed_runs) == 1


def test_bad_params_fail_before_any_work(repo):
    params = (repo / "params.yaml").read_text().replace("dataset: mnist", "dataset: mnits")
    (repo / "params.yaml").write_text(params)
    failed = dvc(repo, "repro", "prepare")
    assert failed.returncode != 0
    assert "data.dataset: must be one of mnist, fashion_mnist, got 'mnits'" in failed.stderr
    assert not (repo / "data/prepared").exists()
    assert tracking.find_runs("prepare") == []
