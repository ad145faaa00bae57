"""The GPU path, as far as a CPU machine can test it: the determinism policy on a faked
device list, no code that pins the CPU, and the GPU lock that matches the CPU one."""

from __future__ import annotations

import re

import pytest
import tensorflow as tf

from ganbench.config import params
from ganbench.models import registry
from ganbench.plumbing import devices
from ganbench.plumbing.errors import DeterminismError
from ganbench.training import loop
from tests.tiny import REPO, tiny_config

FAKE_GPU = [tf.config.PhysicalDevice("/physical_device:GPU:0", "GPU")]


def networks_of(gan: str):
    loop.set_determinism(0, xla=False)
    return registry.module(gan).build_networks(tiny_config(gan))


def with_a_gpu(monkeypatch):
    """The device list as a machine with one GPU shows it (after the networks are built
    on the CPU)."""
    monkeypatch.setattr(devices, "gpus", lambda: FAKE_GPU)


def test_a_model_without_deterministic_gpu_gradients_is_refused_naming_the_op(monkeypatch):
    networks = networks_of("dcgan")
    with_a_gpu(monkeypatch)
    with pytest.raises(DeterminismError) as refused:
        devices.check_determinism(networks, deterministic=True)
    message = str(refused.value)
    assert "UpSampling2D in the generator" in message
    assert "ResizeNearestNeighborGrad" in message
    assert "compute.deterministic: false" in message and "\n" not in message


def test_the_param_relaxes_it_and_models_without_such_ops_pass(monkeypatch):
    dcgan, sgan = networks_of("dcgan"), networks_of("sgan")
    with_a_gpu(monkeypatch)
    devices.check_determinism(dcgan, deterministic=False)
    devices.check_determinism(sgan, deterministic=True)


def test_on_the_cpu_nothing_is_refused():
    assert devices.gpus() == []  # this machine and CI have no GPU
    devices.check_determinism(networks_of("acgan"), deterministic=True)


def test_tensorflows_own_refusal_becomes_one_line_naming_the_op():
    error = tf.errors.UnimplementedError(
        None, None, "A deterministic GPU implementation of ScatterNd is not currently available."
    )
    explained = devices.explain(error)
    assert isinstance(explained, DeterminismError) and "ScatterNd" in str(explained)
    assert devices.explain(ValueError("unrelated")) is None


def test_no_code_pins_the_cpu():
    pinning = re.compile(r"CUDA_VISIBLE_DEVICES|set_visible_devices|tf\.device\(|/CPU:0")
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "src").rglob("*.py")
        if pinning.search(path.read_text())
    ]
    assert offenders == []


def test_the_gpu_lock_is_the_cpu_lock_with_tensorflow_and_cuda():
    def pins(name):
        lines = (REPO / name).read_text().splitlines()
        return {line for line in lines if line and not line.startswith("#")}

    cpu, gpu = pins("requirements.lock"), pins("requirements-gpu.lock")
    assert cpu - gpu == {"tensorflow_cpu==2.21.0"}
    added = gpu - cpu
    assert "tensorflow==2.21.0" in added
    assert all(p == "tensorflow==2.21.0" or p.startswith("nvidia-") for p in added)


def test_the_compute_section_defaults_to_the_seeds_float32_and_determinism():
    compute = params.load(REPO / "params.yaml").compute
    assert (compute.precision, compute.deterministic) == ("float32", True)
