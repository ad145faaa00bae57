"""The evaluation metrics against closed forms, scipy, and their defining properties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import linalg, stats

from ganbench.evaluation import classification, distributions, frechet, kid, manifold


def random_covariance(rng: np.random.Generator, dim: int) -> np.ndarray:
    a = rng.normal(size=(dim, dim))
    return a @ a.T + 0.1 * np.eye(dim)


def test_frechet_matches_closed_form_for_commuting_covariances():
    # Shared eigenvectors: tr sqrt(S1 S2) = sum sqrt(a_i b_i), so
    # d^2 = |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2 exactly.
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    a, b = rng.uniform(0.5, 3.0, 6), rng.uniform(0.5, 3.0, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    got = frechet.frechet_distance(
        mu1, rotation @ np.diag(a) @ rotation.T, mu2, rotation @ np.diag(b) @ rotation.T
    )
    assert got == pytest.approx(expected, rel=1e-6)


def test_frechet_matches_general_matrix_square_root():
    rng = np.random.default_rng(1)
    s1, s2 = random_covariance(rng, 8), random_covariance(rng, 8)
    mu1, mu2 = rng.normal(size=8), rng.normal(size=8)
    root = linalg.sqrtm(s1 @ s2).real
    expected = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * root)
    assert frechet.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-6)


def test_frechet_zero_for_identical_sets_and_invariant_to_order():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(500, 5)), rng.normal(1.0, 2.0, size=(500, 5))
    assert frechet.frechet_distance_of(x, x) == pytest.approx(0.0, abs=1e-9)
    shuffled = x[rng.permutation(len(x))]
    assert frechet.frechet_distance_of(shuffled, y) == pytest.approx(
        frechet.frechet_distance_of(x, y), rel=1e-10
    )


def test_frechet_finite_on_rank_deficient_covariances():
    rng = np.random.default_rng(3)
    few = rng.normal(size=(5, 64))  # 5 samples in 64 dimensions: rank <= 4
    collapsed = np.tile(rng.normal(size=(1, 64)), (50, 1))  # one point: zero covariance
    many = rng.normal(size=(1000, 64))
    for candidate in (few, collapsed):
        value = frechet.frechet_distance_of(candidate, many)
        assert np.isfinite(value) and value > 0


def test_kid_near_zero_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(2000, 16)), rng.normal(size=(2000, 16))
    same_mean, same_std = kid.kernel_distance(x, y, subsets=20, subset_size=500, seed=0)
    assert abs(same_mean) <= 3 * same_std
    shifted = rng.normal(0.5, 1.0, size=(2000, 16))
    diff_mean, diff_std = kid.kernel_distance(x, shifted, subsets=20, subset_size=500, seed=0)
    assert diff_mean > 10 * diff_std > 0


def test_mmd_unbiased_matches_definition():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))

    def k(a, b):
        return (a @ b / 3 + 1) ** 3

    xx = sum(k(x[i], x[j]) for i in range(4) for j in range(4) if i != j) / 12
    yy = sum(k(y[i], y[j]) for i in range(5) for j in range(5) if i != j) / 20
    xy = sum(k(x[i], y[j]) for i in range(4) for j in range(5)) / 20
    assert kid.mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-12)


def test_precision_recall_of_a_set_against_itself_are_one():
    x = np.random.default_rng(6).normal(size=(300, 4))
    scores = manifold.manifold_scores(x, x, k=3)
    assert scores.precision == 1.0 and scores.recall == 1.0 and scores.coverage == 1.0


def test_precision_and_recall_separate_fidelity_from_diversity():
    rng = np.random.default_rng(7)
    real = rng.normal(size=(1000, 2))
    collapsed = rng.normal(0.0, 0.05, size=(1000, 2))  # faithful but not diverse
    far = rng.normal(8.0, 1.0, size=(1000, 2))  # diverse but nowhere near the data
    tight = manifold.manifold_scores(real, collapsed)
    assert tight.precision > 0.95 and tight.recall < 0.2
    off = manifold.manifold_scores(real, far)
    assert off.precision < 0.05 and off.recall < 0.05


def test_manifold_chunking_does_not_change_results(monkeypatch):
    rng = np.random.default_rng(8)
    real, fake = rng.normal(size=(250, 3)), rng.normal(0.3, 1.0, size=(230, 3))
    whole = manifold.manifold_scores(real, fake)
    monkeypatch.setattr(manifold, "CHUNK_ROWS", 17)
    assert manifold.manifold_scores(real, fake) == whole


def test_moments_agree_with_scipy():
    x = np.random.default_rng(9).gamma(2.0, 1.5, size=5000)
    got = distributions.moments(x)
    assert got["mean"] == pytest.approx(np.mean(x))
    assert got["std"] == pytest.approx(np.std(x))
    assert got["skewness"] == pytest.approx(stats.skew(x))
    assert got["kurtosis"] == pytest.approx(stats.kurtosis(x))
    assert got["skewness"] == pytest.approx(2 / np.sqrt(2.0), rel=0.15)  # gamma(k=2)


def test_normal_w1_is_exact_for_small_samples():
    # W1 between the empirical distribution of [x] (one point) and N(0,1) is E|Z - x|
    # = 2 phi(x) + x (2 Phi(x) - 1).
    for x in (-1.3, 0.0, 0.7):
        expected = 2 * stats.norm.pdf(x) + x * (2 * stats.norm.cdf(x) - 1)
        got = distributions.normal_w1(np.array([x]), 0.0, 1.0)
        assert got == pytest.approx(expected, rel=1e-9)


def test_compare_to_normal_scales_and_matches_sampled_w1():
    rng = np.random.default_rng(10)
    values = rng.uniform(0.0, 1.0, size=3000)
    got = distributions.compare_to_normal(values, 4.0, 1.25)
    sampled = stats.wasserstein_distance(values, rng.normal(4.0, 1.25, 2_000_000))
    assert got["w1"] == pytest.approx(sampled, rel=1e-2)
    assert got["ks"] == pytest.approx(stats.kstest(values, stats.norm(4.0, 1.25).cdf).statistic)
    assert got["ks_pvalue"] < 1e-6


def test_classifier_score_bounds():
    uninformative = np.full((100, 10), 0.1)
    assert classification.classifier_score(uninformative) == pytest.approx(1.0)
    confident_balanced = np.eye(10)[np.arange(100) % 10]
    assert classification.classifier_score(confident_balanced) == pytest.approx(10.0, rel=1e-6)
    confident_one_class = np.eye(10)[np.zeros(100, dtype=int)]
    assert classification.classifier_score(confident_one_class) == pytest.approx(1.0)


def test_accuracy_report_counts():
    y_true = np.array([0, 0, 1, 1, 2, 2])
    y_pred = np.array([0, 1, 1, 1, 2, 0])
    report = classification.accuracy_report(y_true, y_pred)
    assert report["accuracy"] == pytest.approx(4 / 6)
    assert report["per_class_accuracy"][:3] == [0.5, 1.0, 0.5]
    assert report["confusion_matrix"][0][:3] == [1, 1, 0]
    assert report["confusion_matrix"][2][:3] == [1, 0, 1]


def test_class_coverage_entropy_and_kl_by_hand():
    balanced = classification.class_coverage(np.arange(1000) % 10)
    assert balanced["class_shares"] == [0.1] * 10
    assert balanced["class_entropy"] == pytest.approx(np.log(10))
    assert balanced["class_kl_uniform"] == pytest.approx(0.0, abs=1e-12)
    collapsed = classification.class_coverage(np.full(50, 7))
    assert collapsed["class_shares"][7] == 1.0 and collapsed["class_entropy"] == 0.0
    assert collapsed["class_kl_uniform"] == pytest.approx(np.log(10))
    # three classes at 1/2, 1/4, 1/4: H = 1.5 log 2
    skewed = classification.class_coverage(np.array([0, 0, 1, 2]))
    assert skewed["class_entropy"] == pytest.approx(1.5 * np.log(2))
    assert skewed["class_kl_uniform"] == pytest.approx(np.log(10) - 1.5 * np.log(2))
