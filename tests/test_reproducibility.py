"""What a bit-identical re-run needs, each claim tested in fresh processes: the same seed and
settings give the same weights; the CPU kernels oneDNN dispatches by instruction set are
part of "the same" (here: AVX-512 against AVX2 on one machine, ONEDNN_MAX_CPU_ISA), and so
is the thread count."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest
import yaml

from ganbench.plumbing import machine
from tests.tiny import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHORT = {"sgan": {"schedule": {"iterations": 40, "evaluate_every": 0, "log_every": 20,
                               "sample_every": 40, "checkpoint_every": 40},
                  "baseline": {"epochs": 1}}}  # fmt: skip


def trained_generator(tmp_path, name: str, threads: int = 1, **env: str) -> list[np.ndarray]:
    """SGAN trained from seed 0 in a fresh process (through `ganbench repeats run`, as the
    long runs train), its generator's weights."""
    profile = tmp_path / "short.yaml"
    profile.write_text(yaml.safe_dump(SHORT))
    workdir = tmp_path / name
    command = [sys.executable, "-m", "ganbench.commands.main", "repeats", "run", "sgan"]
    command += ["--profile", str(profile), "--seeds", "0", "--workdir", str(workdir)]
    command += ["--threads-per-task", str(threads)]
    environment = {**os.environ, "TF_NUM_INTRAOP_THREADS": str(threads), **env}
    subprocess.run(command, cwd=REPO, env=environment, check=True, capture_output=True)
    code = (
        "import sys, numpy as np, keras; m = keras.models.load_model(sys.argv[1], compile=False);"
        " np.savez(sys.argv[2], *m.get_weights())"
    )
    saved = tmp_path / f"{name}.npz"
    generator = workdir / "seed-0" / "models" / "sgan" / "generator.keras"
    subprocess.run([sys.executable, "-c", code, str(generator), str(saved)], check=True)
    with np.load(saved) as stored:
        return [stored[key] for key in stored.files]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.mark.skipif(
    "avx512f" not in machine.cpu_info()[1], reason="needs an AVX-512 CPU to compare with AVX2"
)
def test_same_settings_are_bit_identical_and_the_kernels_instruction_set_is_part_of_them(
    tmp_path,
):
    first = trained_generator(tmp_path, "first")
    again = trained_generator(tmp_path, "again")
    avx2 = trained_generator(tmp_path, "avx2", ONEDNN_MAX_CPU_ISA="AVX2")
    two_threads = trained_generator(tmp_path, "two", threads=2)
    assert same(first, again)  # fresh processes, same seed, threads and machine
    assert not same(first, avx2)  # only the kernels' instruction set changed
    assert not same(first, two_threads)  # only the thread count changed


@pytest.mark.skipif(
    "amx_tile" not in machine.cpu_info()[1], reason="needs an AMX CPU to take AMX away from"
)
def test_amx_bf16_and_vnni_kernels_leave_float32_training_unchanged(tmp_path):
    """Why two avx512-bf16 machines disagree is not AMX: on an AMX Xeon, capping oneDNN below
    AMX, below AVX-512 BF16 and below VNNI gives the very weights of the uncapped run (float32
    training has no use for them), so the difference lies in the CPU model, not those flags."""
    first = trained_generator(tmp_path, "first")
    for isa in ("AVX512_CORE_BF16", "AVX512_CORE"):
        assert same(first, trained_generator(tmp_path, isa, ONEDNN_MAX_CPU_ISA=isa)), isa
