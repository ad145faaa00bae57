"""oneDNN's CPU kernels on every machine kind, asked for by importing the package, unless the
user chose; and the machine record says what TensorFlow actually uses."""

import os
import subprocess
import sys

import pytest

from ganbench.plumbing import machine
from tests.tiny import REPO

PROBE = (
    "import ganbench, tensorflow; "
    "from ganbench.plumbing import machine; "
    "print(machine.cpu_kernels(), machine.describe()['onednn'])"
)


def probe(switch: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != machine.ONEDNN_SWITCH}
    if switch is not None:
        env[machine.ONEDNN_SWITCH] = switch
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.split("\n")[-2]


@pytest.mark.e2e
def test_importing_the_package_first_gives_onednn_on_any_cpu():
    assert probe(None) == "onednn True"


@pytest.mark.e2e
def test_the_users_own_switch_wins_and_is_recorded():
    assert probe("0") == "eigen False"


def test_tensorflows_own_default_depends_on_the_cpu():
    assert not machine.tensorflow_default_onednn({"avx", "avx2", "fma"})
    assert machine.tensorflow_default_onednn({"avx2", "avx512f", "avx512_vnni"})
    assert machine.tensorflow_default_onednn({"avx2", "amx_tile", "amx_bf16"})


def test_this_test_process_runs_what_the_pipeline_runs():
    """conftest imports the package before any test loads TensorFlow."""
    expected = os.environ.get(machine.ONEDNN_SWITCH, "1") not in ("0", "false", "False")
    assert (machine.cpu_kernels() == "onednn") == expected
    assert machine.describe()["onednn"] == expected


@pytest.mark.parametrize(
    ("setting", "expected"),
    [("1", 1), ("3", 3), (None, os.cpu_count()), ("", os.cpu_count()), ("0", os.cpu_count())],
)
def test_the_machine_record_names_the_threads_each_op_may_use(monkeypatch, setting, expected):
    """A lane started with TF_NUM_INTRAOP_THREADS=1 records 1, not the machine's cores."""
    monkeypatch.delenv("TF_NUM_INTRAOP_THREADS", raising=False)
    if setting is not None:
        monkeypatch.setenv("TF_NUM_INTRAOP_THREADS", setting)
    assert machine.intra_op_threads() == expected
    assert machine.describe()["intra_op_threads"] == expected
