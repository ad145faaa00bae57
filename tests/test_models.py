"""Every GAN family on tiny data: finite losses, output shapes, determinism, resume."""

import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from ganbench import training
from ganbench.models import registry
from tests.tiny import REPO, build

FAMILIES = list(registry.FAMILIES)


def run_steps(model, tmp_path, stop_after=None, name="ckpt.npz"):
    checkpointer = training.Checkpointer(tmp_path / name, model, "test")
    return training.train(
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


def fresh_process_run(gan, work, out, stop_after=None):
    """Train in a new interpreter, as two `dvc repro` runs (or a resume) would."""
    args = [sys.executable, "-m", "tests.tiny_run", gan, str(work), str(out)]
    if stop_after is not None:
        args.append(str(stop_after))
    subprocess.run(args, cwd=REPO, check=True, capture_output=True)
    with np.load(out) as stored:
        return {k: stored[k] for k in stored.files}


def assert_same_weights(a, b):
    keys = [k for k in a if k.startswith("v")]
    assert keys and keys == [k for k in b if k.startswith("v")]
    for key in keys:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("gan", FAMILIES)
def test_determinism_and_resume_equivalence_in_fresh_processes(gan, tmp_path):
    """Same seed -> bit-identical weights; N steps == N/2, stop, resume, N/2."""
    first = fresh_process_run(gan, tmp_path / "first", tmp_path / "first.npz")
    second = fresh_process_run(gan, tmp_path / "second", tmp_path / "second.npz")
    assert_same_weights(first, second)

    partial = fresh_process_run(gan, tmp_path / "resume", tmp_path / "partial.npz", 2)
    assert int(partial["steps"]) == 2
    assert (tmp_path / "resume" / "checkpoint.npz").is_file()
    resumed = fresh_process_run(gan, tmp_path / "resume", tmp_path / "resumed.npz")
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
    other = training.Checkpointer(tmp_path / "ckpt.npz", model, "another-config")
    assert other.restore() == (0, [])


def test_nan_loss_stops_the_loop(tmp_path):
    model, _ = build("gan1d", tmp_path)
    honest_step = model.train_step

    def poisoned():
        losses = honest_step()
        return {**losses, "d": losses["d"] * np.nan}

    model.train_step = poisoned
    with pytest.raises(training.NonFiniteLossError, match="non-finite loss at step 1"):
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
    images = model.generate_classes(np.arange(10), seed=3)
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
