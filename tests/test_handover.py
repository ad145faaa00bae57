"""A handed-over checkpoint comes back byte for byte, only where it is further on, only
under the same params, and never from parts that do not match their hash."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ganbench.longrun import handover, repeats, seeds
from ganbench.plumbing.errors import InputError

PARAMS = "sgan:\n  schedule:\n    seed: 0\n"


def write_checkpoint(path: Path, step: int, size: int = 5000) -> bytes:
    """A checkpoint laid out as training.Checkpointer writes one (weights and a meta)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = json.dumps({"step": step, "fingerprint": "f"}).encode()
    weights = np.random.default_rng(step).standard_normal(size).astype(np.float32)
    with path.open("wb") as out:
        np.savez(out, v0=weights, meta=np.frombuffer(meta, dtype=np.uint8))
    return path.read_bytes()


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handover, "PART_BYTES", 4096)


def test_a_checkpoint_handed_over_in_parts_comes_back_byte_for_byte(
    tmp_path: Path, small_parts: None
) -> None:
    original = write_checkpoint(tmp_path / "here" / "checkpoint.npz", step=700)
    folder = tmp_path / "handover"
    manifest = handover.save(tmp_path / "here" / "checkpoint.npz", PARAMS, folder, 3)
    assert manifest is not None and manifest["step"] == 700
    assert len(manifest["parts"]) > 1
    assert all((folder / name).stat().st_size <= 4096 for name in manifest["parts"])
    elsewhere = tmp_path / "new-machine" / "checkpoint.npz"
    assert handover.restore(elsewhere, PARAMS, folder, 3) == 700
    assert elsewhere.read_bytes() == original
    assert handover.checkpoint_step(elsewhere) == 700


def test_a_local_checkpoint_further_on_is_kept(tmp_path: Path) -> None:
    write_checkpoint(tmp_path / "old" / "checkpoint.npz", step=700)
    folder = tmp_path / "handover"
    handover.save(tmp_path / "old" / "checkpoint.npz", PARAMS, folder, 0)
    local = tmp_path / "here" / "checkpoint.npz"
    kept = write_checkpoint(local, step=900)
    assert handover.restore(local, PARAMS, folder, 0) == 0
    assert local.read_bytes() == kept


def test_a_handover_under_other_params_is_not_restored(tmp_path: Path) -> None:
    write_checkpoint(tmp_path / "old" / "checkpoint.npz", step=700)
    folder = tmp_path / "handover"
    handover.save(tmp_path / "old" / "checkpoint.npz", PARAMS, folder, 0)
    target = tmp_path / "here" / "checkpoint.npz"
    assert handover.restore(target, PARAMS.replace("0", "1"), folder, 0) == 0
    assert not target.exists()


def test_a_part_that_does_not_match_its_hash_is_refused(tmp_path: Path, small_parts: None) -> None:
    write_checkpoint(tmp_path / "old" / "checkpoint.npz", step=700)
    folder = tmp_path / "handover"
    manifest = handover.save(tmp_path / "old" / "checkpoint.npz", PARAMS, folder, 0)
    assert manifest is not None
    part = folder / manifest["parts"][1]
    data = bytearray(part.read_bytes())
    data[10] ^= 0xFF
    part.write_bytes(bytes(data))
    target = tmp_path / "here" / "checkpoint.npz"
    with pytest.raises(InputError, match=r"seed-0\.json: parts give sha256 .* expected"):
        handover.restore(target, PARAMS, folder, 0)
    assert not target.exists()


def test_saving_again_replaces_the_parts_only_when_training_moved_on(
    tmp_path: Path, small_parts: None
) -> None:
    checkpoint = tmp_path / "here" / "checkpoint.npz"
    folder = tmp_path / "handover"
    write_checkpoint(checkpoint, step=700, size=5000)
    first = handover.save(checkpoint, PARAMS, folder, 0)
    assert first is not None
    assert handover.save(checkpoint, PARAMS, folder, 0) is None
    newer = write_checkpoint(checkpoint, step=800, size=100)
    second = handover.save(checkpoint, PARAMS, folder, 0)
    assert second is not None and len(second["parts"]) < len(first["parts"])
    assert sorted(p.name for p in folder.glob("seed-0.npz.*")) == second["parts"]
    target = tmp_path / "there" / "checkpoint.npz"
    assert handover.restore(target, PARAMS, folder, 0) == 800
    assert target.read_bytes() == newer
    assert handover.discard(folder, 0)
    assert not list(folder.iterdir())


def test_repeats_hands_a_seed_over_from_its_folder_and_a_new_workdir_resumes_it(
    tmp_path: Path,
) -> None:
    old = tmp_path / "runs-old"
    (old / "seed-2").mkdir(parents=True)
    (old / "seed-2" / "params.yaml").write_text(PARAMS)
    original = write_checkpoint(seeds.checkpoint_path(old / "seed-2", "sgan"), step=1234)
    folder = tmp_path / "handover" / "sgan-paper"
    assert repeats.hand_over("sgan", old, [2], folder) == [2]
    plan = seeds.Plan(
        gan="sgan",
        seeds=(2,),
        workdir=tmp_path / "runs-new",
        prepared=tmp_path,
        metric="test_accuracy",
        confidence=0.95,
    )
    repeats.restore_handover(plan, {2: PARAMS}, folder, [2])
    restored = seeds.checkpoint_path(seeds.seed_dir(plan, 2), "sgan")
    assert restored.read_bytes() == original
    with pytest.raises(InputError, match=r"seed-5/params\.yaml: no such seed folder"):
        repeats.hand_over("sgan", old, [5], folder)
