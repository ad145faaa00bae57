"""The pinned reference networks: the same yardstick on every machine, checked on load."""

from __future__ import annotations

import dataclasses
import json

import keras
import pytest

from ganbench.config import params
from ganbench.data import prepare
from ganbench.data.settings import DataParams
from ganbench.scoring import reference
from ganbench.stages import reference as reference_stage
from ganbench.training import loop
from tests.tiny import REPO, tiny_dataset
from tests.tiny_pipeline import tiny_raw, write_params


@pytest.fixture(scope="module", autouse=True)
def deterministic_runtime():
    """Before this module's first TensorFlow op: threads can be set only until then."""
    loop.configure_runtime(xla=False)


@pytest.mark.parametrize("dataset", ["mnist", "fashion_mnist"])
def test_repository_pins_a_network_per_dataset_that_matches_its_hash(dataset):
    model, record = reference.load_pinned(REPO / "references", dataset)
    assert record["dataset"] == dataset
    assert reference.weights_hash(model) == record["weights_hash"]
    assert record["machine"]["cpu_model"] and record["git_commit"]


def tiny_pin(directory):
    p = params.load(REPO / "params.yaml").section("reference")
    model = reference.build(dataclasses.replace(p, filters=(4, 8), feature_units=16))
    return reference.pin(model, directory, "mnist", {"test_accuracy": 0.5})


def test_a_pinned_network_whose_weights_changed_is_refused(tmp_path):
    record = tiny_pin(tmp_path)
    model, loaded = reference.load_pinned(tmp_path, "mnist")
    assert loaded == record and reference.weights_hash(model) == record["weights_hash"]
    record_path = tmp_path / "mnist" / "pin.json"
    record_path.write_text(json.dumps({**record, "weights_hash": "0123456789abcdef"}))
    with pytest.raises(reference.ReferenceError) as caught:
        reference.load_pinned(tmp_path, "mnist")
    message = str(caught.value)
    assert str(tmp_path / "mnist" / "classifier.keras") in message
    assert "expected 0123456789abcdef" in message and record["weights_hash"] in message


def test_a_dataset_without_a_pinned_network_names_the_command(tmp_path):
    with pytest.raises(reference.ReferenceError, match=r"ganbench pin-reference"):
        reference.load_pinned(tmp_path, "fashion_mnist")


def test_the_stage_publishes_the_pinned_network_by_default(tmp_path):
    record = tiny_pin(tmp_path / "pinned")
    raw = tiny_raw()
    raw["reference"]["source"] = "pinned"
    params_path = write_params(tmp_path, raw)
    data = DataParams(dataset="mnist", label_counts=(20,), label_seeds=(0,))
    prepare.write_prepared(tmp_path / "prepared", data, tiny_dataset())
    paths = reference_stage.ReferencePaths(
        prepared=tmp_path / "prepared",
        pinned=tmp_path / "pinned",
        model_dir=tmp_path / "models" / "reference",
        metrics=tmp_path / "metrics" / "reference.json",
    )
    metrics = reference_stage.run(params_path, paths)
    assert metrics["source"] == "pinned" and metrics["weights_hash"] == record["weights_hash"]
    published, _ = reference.load_pinned(tmp_path / "pinned", "mnist")
    copy = keras.models.load_model(paths.model_dir / "classifier.keras")
    assert reference.weights_hash(copy) == reference.weights_hash(published)
    # byte for byte, so that models/reference has one DVC hash on every machine
    pinned_bytes = (tmp_path / "pinned" / "mnist" / "classifier.keras").read_bytes()
    assert (paths.model_dir / "classifier.keras").read_bytes() == pinned_bytes
