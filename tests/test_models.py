"""Every GAN family on tiny data: finite losses, output shapes, determinism, resume."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from ganbench.config import params
from ganbench.models import registry
from ganbench.scoring import image_scores, reference
from ganbench.training import loop
from ganbench.training.progress import ProgressEvaluator, progress_settings
from tests.tiny import REPO, build, tiny_dataset, weights

FAMILIES = list(registry.FAMILIES)


def run_steps(model, tmp_path, stop_after=None, name="ckpt.npz"):
    checkpointer = loop.Checkpointer(tmp_path / name, model, "test")
    return loop.train(
        model, checkpointer, lambda step, losses: None, lambda s: None, stop_after, progress=False
    )


@pytest.mark.parametrize("gan", FAMILIES)
def test_steps_give_finite_losses_and_outputs_in_range(gan, tmp_path):
    model, config = build(gan, tmp_path)
    result = run_steps(model, tmp_path)
    assert result.steps == 4
    assert len(result.history) == 4
    assert all(np.isfinite(v) for v in result.final_losses.values())
    samples = model.generate(6, seed=1)
    if gan == "gan1d":
        assert samples.shape == (6, config.sample_size)
    else:
        assert samples.shape == (6, 28, 28, 1)
        assert samples.min() >= 0.0 and samples.max() <= 1.0


def start_fresh_process(work, stop_after=None):
    """Train every family in one new interpreter, as separate `dvc repro` runs (or a
    resume) would start them; one thread each, so that several run side by side."""
    stop = "all" if stop_after is None else str(stop_after)
    args = [sys.executable, "-m", "tests.tiny_run", str(work), stop, *FAMILIES]
    env = {**os.environ, "TF_NUM_INTRAOP_THREADS": "1"}
    return subprocess.Popen(
        args, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def finished_runs(process, work):
    """Each family's stored state once the process has ended."""
    _, err = process.communicate()
    assert process.returncode == 0, err.decode(errors="replace")[-2000:]
    runs = {}
    for gan in FAMILIES:
        with np.load(work / f"{gan}.npz") as stored:
            runs[gan] = {k: stored[k] for k in stored.files}
    return runs


@pytest.fixture(scope="module")
def fresh_runs(tmp_path_factory):
    """Four fresh processes for all families: two straight runs, and a run stopped after
    two of its four steps then resumed in another process (the first three side by side)."""
    root = tmp_path_factory.mktemp("fresh")
    started = {
        "first": start_fresh_process(root / "first"),
        "second": start_fresh_process(root / "second"),
        "partial": start_fresh_process(root / "resume", stop_after=2),
    }
    runs = {
        "first": finished_runs(started["first"], root / "first"),
        "second": finished_runs(started["second"], root / "second"),
        "partial": finished_runs(started["partial"], root / "resume"),
    }
    runs["resumed"] = finished_runs(start_fresh_process(root / "resume"), root / "resume")
    return runs


def assert_same_weights(a, b):
    keys = [k for k in a if k.startswith("v")]
    assert keys and keys == [k for k in b if k.startswith("v")]
    for key in keys:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.e2e
@pytest.mark.parametrize("gan", FAMILIES)
def test_determinism_and_resume_equivalence_in_fresh_processes(gan, fresh_runs):
    """Same seed -> bit-identical weights; N steps == N/2, stop, resume, N/2."""
    first, second = fresh_runs["first"][gan], fresh_runs["second"][gan]
    assert_same_weights(first, second)
    partial, resumed = fresh_runs["partial"][gan], fresh_runs["resumed"][gan]
    assert int(partial["steps"]) == 2
    assert int(resumed["resumed_from"]) == 2
    assert int(resumed["steps"]) == 4
    assert_same_weights(first, resumed)
    # and the interruption really happened part-way: weights then differed
    assert any(not np.array_equal(first[k], partial[k]) for k in first if k.startswith("v"))


def test_resumed_history_continues(tmp_path):
    model, _ = build("gan1d", tmp_path)
    run_steps(model, tmp_path, stop_after=2)
    again, _ = build("gan1d", tmp_path)
    result = run_steps(again, tmp_path)
    assert result.resumed_from == 2
    assert [row["step"] for row in result.history] == [1, 2, 3, 4]


def test_changed_config_does_not_resume(tmp_path):
    model, _ = build("gan1d", tmp_path)
    run_steps(model, tmp_path, stop_after=2)
    other = loop.Checkpointer(tmp_path / "ckpt.npz", model, "another-config")
    assert other.restore() == (0, loop.Log())


def test_nan_loss_stops_the_loop(tmp_path):
    model, _ = build("gan1d", tmp_path)
    honest_step = model.train_step

    def poisoned():
        losses = honest_step()
        return {**losses, "d": losses["d"] * np.nan}

    model.train_step = poisoned
    with pytest.raises(loop.NonFiniteLossError, match="non-finite loss at step 1"):
        run_steps(model, tmp_path)


def test_wgan_critic_weights_within_clip_after_a_step(tmp_path):
    model, config = build("wgan", tmp_path, iterations=1)
    run_steps(model, tmp_path)
    clip = config.clip_value
    for variable in model.critic.trainable_variables:
        values = variable.numpy()
        assert np.all(np.abs(values) <= clip + 1e-9), variable.name
    # the critic's initial weights exceed the clip, so clipping really happened
    assert max(np.abs(v.numpy()).max() for v in model.critic.trainable_variables) == pytest.approx(
        clip
    )


def test_sgan_real_fake_logit_is_logit_of_z_over_z_plus_one():
    from ganbench.models.semi_supervised import real_fake_logit

    logits = tf.constant([[0.5, -1.0, 2.0], [-30.0, -40.0, -35.0], [60.0, 1.0, 0.0]])
    z = np.exp(np.float64(logits.numpy())).sum(axis=1)
    probability = z / (z + 1.0)
    np.testing.assert_allclose(tf.sigmoid(real_fake_logit(logits)).numpy(), probability, rtol=1e-6)
    assert np.all(np.isfinite(real_fake_logit(logits).numpy()))


def test_acgan_samples_follow_requested_classes_shape(tmp_path):
    model, _ = build("acgan", tmp_path)
    images = model.sampler().generate(10, seed=3, classes=np.arange(10))
    assert images.shape == (10, 28, 28, 1)
    # different classes give different images from the same noise
    assert not np.allclose(images[0], images[1])


def test_gan1d_moves_generated_mean_toward_target(tmp_path):
    model, config = build("gan1d", tmp_path, iterations=600, batch_size=10, log_every=600)
    noise_mean = 0.5
    before = model.generate(50, seed=5).mean()
    run_steps(model, tmp_path)
    after = model.generate(50, seed=5).mean()
    assert abs(after - config.target_mean) < abs(before - config.target_mean) - 1.0
    assert abs(after - config.target_mean) < abs(noise_mean - config.target_mean)


def rmsprop_by_hand(grads, lr, rho, epsilon, outside):
    """RMSprop in float64 from zero accumulators: Keras 2 divides by sqrt(v) + epsilon,
    Keras 3 by sqrt(v + epsilon)."""
    w, v = np.zeros(3), np.zeros(3)
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        w = w - lr * g / ((np.sqrt(v) + epsilon) if outside else np.sqrt(v + epsilon))
    return w


@pytest.mark.parametrize("outside", [True, False])
def test_wgan_rmsprop_steps_as_keras_2_when_epsilon_is_outside_the_root(outside):
    from ganbench.models.base import rmsprop
    from ganbench.models.settings import RMSPropParams

    # small gradients, where the two forms part: sqrt(v) is ~1e-4, epsilon 1e-7 inside
    # the root is ~3e-4, so Keras 3's step is several times smaller
    grads = [np.array([1e-4, -3e-4, 2e-5]), np.array([2e-4, 1e-4, -5e-5]), np.ones(3) * 1e-4]
    p = RMSPropParams(lr=5e-5, rho=0.9, epsilon=1e-7, epsilon_outside_sqrt=outside)
    w = tf.Variable(np.zeros(3, np.float32))
    opt = rmsprop(p)
    for g in grads:
        opt.apply_gradients([(tf.constant(g, tf.float32), w)])
    keras2 = rmsprop_by_hand(grads, 5e-5, 0.9, 1e-7, outside=True)
    keras3 = rmsprop_by_hand(grads, 5e-5, 0.9, 1e-7, outside=False)
    assert not np.allclose(keras2, keras3, rtol=0.1)  # the case tells the two apart
    np.testing.assert_allclose(w.numpy(), keras2 if outside else keras3, rtol=1e-5)


def tiny_yardstick(dataset):
    """A yardstick from an untrained small reference network: enough to exercise scoring."""
    p = params.load(REPO / "params.yaml")
    settings = dataclasses.replace(
        p.section("evaluate"),
        progress_samples=30,
        progress_kid_subsets=2,
        kid_subset_size=10,
        nearest_k=2,
    )
    net_params = dataclasses.replace(p.section("reference"), filters=(4, 8), feature_units=16)
    settings = progress_settings(settings)
    net = reference.ReferenceNetwork(reference.build(net_params))
    return image_scores.Yardstick.build(net, dataset, settings), settings


@pytest.mark.parametrize("gan", ["acgan", "sgan"])
def test_evaluating_during_training_leaves_the_training_unchanged(gan, tmp_path):
    plain, _ = build(gan, tmp_path / "plain", evaluate_every=2)
    run_steps(plain, tmp_path / "plain")
    dataset = tiny_dataset()
    yardstick, settings = tiny_yardstick(dataset)
    scored, config = build(gan, tmp_path / "scored", evaluate_every=2)
    family = registry.family(gan)
    evaluator = ProgressEvaluator(family, config, scored, dataset, yardstick, settings)
    checkpointer = loop.Checkpointer(tmp_path / "scored" / "ckpt.npz", scored, "test")
    result = loop.train(
        scored,
        checkpointer,
        lambda step, losses: None,
        lambda step: None,
        progress=False,
        on_evaluate=evaluator,
    )
    assert [row["step"] for row in result.evaluations] == [0, 2, 4]
    assert all(np.isfinite(row["fid"]) and row["fid"] >= 0 for row in result.evaluations)
    assert ("conditional_accuracy" if gan == "acgan" else "test_accuracy") in result.evaluations[0]
    for a, b in zip(weights(plain), weights(scored), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("gan", FAMILIES)
def test_every_family_trains_in_mixed_bfloat16(gan, tmp_path):
    """compute.precision: mixed_bfloat16 computes in bfloat16 with float32 weights and
    losses; a step gives finite float32 losses."""
    loop.set_precision("mixed_bfloat16")
    try:
        model, _ = build(gan, tmp_path, iterations=2)
        result = run_steps(model, tmp_path)
        networks = model.networks().values()
        assert all(v.dtype == "float32" for n in networks for v in n.trainable_variables)
        assert any(n.compute_dtype == "bfloat16" for n in networks)
    finally:
        loop.set_precision("float32")
    assert all(np.isfinite(v) for v in result.final_losses.values())


def test_float32_checkpoints_keep_their_fingerprint_and_other_precisions_do_not_resume():
    config = {"a": 1}
    assert loop.fingerprint(config) == loop.fingerprint(config, "float32")
    assert loop.fingerprint(config, "mixed_bfloat16") != loop.fingerprint(config)
