"""SGAN with feature matching (Salimans et al. 2016): loss terms against values computed by
hand, which network each update may touch, weight normalisation, and the learning rate."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ganbench.models import sgan_fm
from ganbench.models.sgan_fm import model as sgan_fm_model
from ganbench.plumbing import schema
from ganbench.training import loop
from tests.tiny import prepared_dir, tiny_dataset

TINY = {
    "schedule": {
        "iterations": 4,
        "batch_size": 8,
        "seed": 0,
        "log_every": 1,
        "sample_every": 1000,
        "checkpoint_every": 1000,
        "xla": False,
        "evaluate_every": 0,
    },
    "z_dim": 6,
    "noise": "uniform_unit",
    "pixel_range": "unit",
    "labelled": {"count": 20, "seed": 0, "sampling": "balanced"},
    "generator": {"units": [16]},
    "discriminator": {
        "units": [24, 12],
        "input_noise": 0.3,
        "hidden_noise": 0.5,
        "init_batch": 40,
        "weight_init_std": 0.1,
    },
    "optimizer": {
        "lr": 0.003,
        "beta1": 0.5,
        "beta2": 0.999,
        "epsilon": 1.0e-8,
        "epsilon_inside_sqrt": True,
    },
    "unlabelled_weight": 1.0,
    "iterations_per_epoch": 2,
    "lr_decay_start_epoch": 1,
    "average_rate": 0.25,
}


@pytest.fixture(scope="module", autouse=True)
def deterministic_runtime():
    """Before this module's first TensorFlow op: threads can be set only until then."""
    loop.set_determinism(0, xla=False)


def tiny_model(tmp_path):
    problems: list[str] = []
    config = schema.build(sgan_fm.Config, TINY, "sgan_fm", problems)
    assert problems == []
    loop.set_determinism(0, xla=False)
    dataset = tiny_dataset()
    return sgan_fm_model.create(config, dataset, prepared_dir(tmp_path, dataset)), dataset


def logsumexp(x: np.ndarray) -> np.ndarray:
    top = x.max(axis=1, keepdims=True)
    return (top + np.log(np.exp(x - top).sum(axis=1, keepdims=True)))[:, 0]


def test_semi_supervised_losses_equal_hand_computed_values():
    rng = np.random.default_rng(3)
    lab, unl, gen = (rng.normal(size=(4, 10)) for _ in range(3))
    y = np.array([0, 3, 9, 3])
    # supervised: -log softmax at the label
    expected_sup = np.mean(logsumexp(lab) - lab[np.arange(4), y])
    # unsupervised, with D = Z/(Z+1): -1/2 E log D(unl) - 1/2 E log(1 - D(gen))
    z_unl, z_gen = np.exp(logsumexp(unl)), np.exp(logsumexp(gen))
    expected_unsup = -0.5 * np.mean(np.log(z_unl / (z_unl + 1))) - 0.5 * np.mean(
        np.log(1 / (z_gen + 1))
    )
    sup, unsup = sgan_fm_model.semi_supervised_losses(
        tf.constant(y), tf.constant(lab), tf.constant(unl), tf.constant(gen)
    )
    assert float(sup) == pytest.approx(expected_sup, rel=1e-10)
    assert float(unsup) == pytest.approx(expected_unsup, rel=1e-10)


def test_feature_matching_loss_equals_hand_computed_value():
    real = np.array([[1.0, 2.0], [3.0, 4.0]])  # batch means 2, 3
    fake = np.array([[0.0, 0.0], [1.0, 2.0]])  # batch means 0.5, 1
    expected = ((2 - 0.5) ** 2 + (3 - 1) ** 2) / 2
    loss = sgan_fm_model.feature_matching_loss(tf.constant(real), tf.constant(fake))
    assert float(loss) == pytest.approx(expected)


def snapshot(variables) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in variables]


def changed(before, variables) -> list[bool]:
    return [not np.array_equal(a, v.numpy()) for a, v in zip(before, variables, strict=True)]


def test_feature_matching_update_moves_only_the_generator(tmp_path):
    model, _ = tiny_model(tmp_path)
    d_vars = model.discriminator.trainable_variables + model.opt_d.variables
    g_vars = model.generator.trainable_variables
    d_before, g_before = snapshot(d_vars), snapshot(g_vars)
    loss = model.generator_update()
    assert np.isfinite(float(loss)) and float(loss) > 0
    assert not any(changed(d_before, d_vars))
    assert all(changed(g_before, g_vars))


def test_discriminator_update_moves_only_the_discriminator(tmp_path):
    model, _ = tiny_model(tmp_path)
    g_vars = model.generator.trainable_variables + model.opt_g.variables
    d_vars = model.discriminator.trainable_variables
    g_before, d_before = snapshot(g_vars), snapshot(d_vars)
    model.discriminator_update()
    assert not any(changed(g_before, g_vars))
    assert all(changed(d_before, d_vars))


def test_averaged_weights_follow_the_running_average_from_zero(tmp_path):
    model, _ = tiny_model(tmp_path)
    assert all(not np.any(v.numpy()) for v in model.averaged.trainable_variables)
    model.discriminator_update()
    after_one = snapshot(model.discriminator.trainable_variables)
    for average, weight in zip(model.averaged.trainable_variables, after_one, strict=True):
        np.testing.assert_allclose(average.numpy(), 0.25 * weight, rtol=1e-6)
    model.discriminator_update()
    for average, first, second in zip(
        model.averaged.trainable_variables,
        after_one,
        model.discriminator.trainable_variables,
        strict=True,
    ):
        expected = 0.25 * first + 0.25 * (second.numpy() - 0.25 * first)
        np.testing.assert_allclose(average.numpy(), expected, rtol=1e-5, atol=1e-7)


def test_labelled_batches_hold_whole_passes_over_the_labelled_set(tmp_path):
    model, _ = tiny_model(tmp_path)
    labelled = sorted(row.tobytes() for row in model.labelled_x.numpy())
    assert len(set(labelled)) == 20
    x, _ = model.labelled_batch(40)  # exactly two passes: every image twice
    assert sorted(row.tobytes() for row in x.numpy()) == sorted(labelled * 2)
    x, y = model.labelled_batch(50)  # two passes and 10 drawn from the set
    rows = [row.tobytes() for row in x.numpy()]
    assert all(rows.count(row) >= 2 for row in labelled) and set(rows) == set(labelled)
    assert np.bincount(y.numpy(), minlength=10).min() >= 4


def test_weight_norm_init_standardises_first_layer_on_its_batch():
    layer = sgan_fm_model.WeightNormDense(5)
    x = tf.constant(np.random.default_rng(0).normal(2.0, 3.0, size=(200, 7)), tf.float32)
    layer.build(x.shape)
    out = layer.initialize(x).numpy()
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(out.std(axis=0), 1.0, atol=1e-3)


def test_learning_rate_is_constant_then_falls_linearly_per_epoch():
    # the paper code's CIFAR-10 schedule: lr * min(3 - epoch / 400, 1) over 1,200 epochs
    rate = sgan_fm_model.EpochDecay(0.003, per_epoch=500, decay_start=800, epochs=1200)
    for epoch in (0, 600, 800, 1000, 1199):
        expected = 0.003 * min(3 - epoch / 400, 1)
        assert float(rate(epoch * 500 + 17)) == pytest.approx(expected, rel=1e-5)


def adam_by_hand(grads: list[np.ndarray], lr: float, b1: float, b2: float, eps: float):
    """The paper code's `nn.adam_updates`, step by step, from w = 0."""
    w, m, v = np.zeros_like(grads[0]), np.zeros_like(grads[0]), np.zeros_like(grads[0])
    for t, g in enumerate(grads, start=1):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g**2
        w = w - lr * (m / (1 - b1**t)) / np.sqrt(v / (1 - b2**t) + eps)
    return w


@pytest.mark.parametrize("inside", [True, False])
def test_paper_adam_puts_epsilon_inside_the_square_root(inside):
    # gradients small enough that where epsilon sits changes the step
    grads = [np.array([1e-4, -3e-4, 2e-3]), np.array([5e-5, 1e-4, -1e-3]), np.array([0, 2e-4, 0])]
    p = sgan_fm.OptimizerParams(
        lr=0.003, beta1=0.5, beta2=0.999, epsilon=1e-8, epsilon_inside_sqrt=inside
    )
    opt = sgan_fm_model.optimizer(p)
    w = tf.Variable(np.zeros(3, np.float32))  # float32, as the networks' weights
    for g in grads:
        opt.apply_gradients([(tf.constant(g, tf.float32), w)])
    expected = adam_by_hand(grads, 0.003, 0.5, 0.999, 1e-8)
    matches = np.allclose(w.numpy(), expected, rtol=1e-5, atol=0)
    assert matches == inside  # Keras's own Adam (inside=False) takes a different step


def test_few_steps_are_finite_and_the_classifier_round_trips(tmp_path):
    import keras

    model, dataset = tiny_model(tmp_path)
    checkpointer = loop.Checkpointer(tmp_path / "ckpt.npz", model, "test")
    result = loop.train(
        model, checkpointer, lambda step, losses: None, lambda step: None, progress=False
    )
    assert result.steps == 4 and all(np.isfinite(v) for v in result.final_losses.values())
    samples = model.generate(6, seed=1)
    assert samples.shape == (6, 28, 28, 1) and 0.0 <= samples.min() <= samples.max() <= 1.0
    path = tmp_path / "classifier.keras"
    model.classifier().save(path)
    x = dataset.x_test[:5, ..., None].astype(np.float32) / 255.0
    reloaded = keras.saving.load_model(path)
    np.testing.assert_allclose(reloaded.predict(x, verbose=0), model.classifier()(x), rtol=1e-5)
