"""The seed-style baseline loops (benchmarks/) must really train: Keras 3 freezes silently."""

import dataclasses

import numpy as np

from benchmarks import seed_loops
from tests.tiny import tiny_config


def snapshot(model):
    return [w.copy() for w in model.get_weights()]


def changed(before, model):
    return any(not np.array_equal(a, b) for a, b in zip(before, model.get_weights(), strict=True))


def test_discriminator_step_changes_discriminator():
    config = dataclasses.replace(tiny_config("gan1d", batch_size=8), g_steps=0)
    iteration, nets = seed_loops.gan1d_loop(config)
    before = snapshot(nets["discriminator"])
    iteration()
    assert changed(before, nets["discriminator"])


def test_generator_step_changes_generator_and_leaves_frozen_discriminator():
    config = dataclasses.replace(tiny_config("gan1d", batch_size=8), d_steps=0)
    iteration, nets = seed_loops.gan1d_loop(config)
    d_before, g_before = snapshot(nets["discriminator"]), snapshot(nets["generator"])
    iteration()
    assert changed(g_before, nets["generator"])
    assert not changed(d_before, nets["discriminator"])


def test_sgan_seed_loop_trains_the_shared_discriminator():
    config = tiny_config("sgan")
    x = np.random.default_rng(0).uniform(-1, 1, (40, 28, 28, 1)).astype(np.float32)
    y = np.arange(40) % 10
    iteration, nets = seed_loops.sgan_loop(config, x[:20], y[:20], x[20:])
    d_before, g_before = snapshot(nets["discriminator"]), snapshot(nets["generator"])
    iteration()
    assert changed(d_before, nets["discriminator"])
    assert changed(g_before, nets["generator"])
