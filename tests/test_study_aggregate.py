"""Study aggregation and the classical baselines."""

import numpy as np
import pytest
from scipy import stats

from ganbench.study import aggregate, classical
from tests.synthetic import make_arrays


def test_summary_interval_is_the_student_t_interval():
    values = [0.80, 0.84, 0.86]
    got = aggregate.summarise(values, 0.95)
    half = stats.t.ppf(0.975, 2) * np.std(values, ddof=1) / np.sqrt(3)
    assert got["mean"] == pytest.approx(np.mean(values))
    assert got["ci_low"] == pytest.approx(np.mean(values) - half)
    assert got["ci_high"] == pytest.approx(np.mean(values) + half)
    assert aggregate.summarise([0.9], 0.95)["ci_low"] is None


def test_paired_comparison_matches_hand_computed_values_and_scipy():
    first, second = [0.85, 0.83, 0.90], [0.80, 0.79, 0.84]
    got = aggregate.paired_comparison(first, second, 0.95)
    # by hand: differences 0.05, 0.04, 0.06; mean 0.05, SD 0.01; t = 0.05 / (0.01 / sqrt 3)
    assert got["n"] == 3
    assert got["mean_difference"] == pytest.approx(0.05)
    assert got["std_difference"] == pytest.approx(0.01)
    assert got["statistic"] == pytest.approx(0.05 / (0.01 / np.sqrt(3)))
    assert got["effect_size"] == pytest.approx(5.0)  # 0.05 / 0.01
    half = 4.302652729911275 * 0.01 / np.sqrt(3)  # t(0.975, 2 degrees of freedom)
    assert got["ci_low"] == pytest.approx(0.05 - half)
    assert got["ci_high"] == pytest.approx(0.05 + half)
    assert got["p_value"] == pytest.approx(stats.ttest_rel(first, second).pvalue)
    assert got["p_value"] == pytest.approx(2 * stats.t.sf(0.05 / (0.01 / np.sqrt(3)), 2))


def test_paired_comparison_is_undefined_without_spread_or_pairs():
    one = aggregate.paired_comparison([0.9], [0.8])
    assert one["p_value"] is None and one["ci_low"] is None and one["effect_size"] is None
    assert one["mean_difference"] == pytest.approx(0.1)
    same = aggregate.paired_comparison([0.9, 0.8], [0.8, 0.7])
    assert same["p_value"] is None and same["effect_size"] is None


METHODS = ("sgan", "sgan_fm", "supervised", "logistic_regression", "label_spreading")


def test_study_table_pairs_seeds_by_value():
    def cell(labels, seed, sgan, supervised):
        accuracy = dict(sgan=sgan, sgan_fm=sgan + 0.05 * (seed + 1), supervised=supervised)
        others = {"logistic_regression": 0.5, "label_spreading": 0.6}
        return {"labels": labels, "seed": seed, "accuracy": {**accuracy, **others}}

    # seeds in a different order per label count; pairing must follow the seed
    cells = [
        cell(100, 1, 0.90, 0.80),
        cell(100, 0, 0.70, 0.69),
        cell(20, 0, 0.5, 0.4),
        cell(20, 1, 0.6, 0.3),
    ]
    table = aggregate.study_table(cells, 0.95, METHODS)
    assert list(table) == ["20", "100"]
    assert table["100"]["seeds"] == [0, 1]
    versus = table["100"]["vs_supervised"]
    assert set(versus) == {"sgan", "sgan_fm", "logistic_regression", "label_spreading"}
    assert versus["sgan"]["p_value"] == pytest.approx(
        stats.ttest_rel([0.70, 0.90], [0.69, 0.80]).pvalue
    )
    assert versus["sgan"]["mean_difference"] == pytest.approx((0.01 + 0.10) / 2)
    assert versus["sgan_fm"]["p_value"] == pytest.approx(
        stats.ttest_rel([0.75, 1.00], [0.69, 0.80]).pvalue
    )
    assert table["100"]["methods"]["sgan_fm"]["mean"] == pytest.approx(0.875)
    rows = aggregate.table_csv_rows(table)
    assert rows[1]["labels"] == 100 and rows[1]["sgan"] == pytest.approx(0.8)
    assert rows[1]["sgan_minus_supervised"] == pytest.approx(0.055)


def test_classical_baselines_learn_separable_blobs():
    arrays = make_arrays(n_train=200, n_test=100)
    x, y = arrays["train_images"], arrays["train_labels"].astype(np.int64)
    x_test, y_test = arrays["test_images"], arrays["test_labels"].astype(np.int64)
    labelled = np.arange(20)  # two per class
    lr = classical.logistic_regression_accuracy(x[labelled], y[labelled], x_test, y_test, 1.0, 500)
    spread = classical.label_spreading_accuracy(x[labelled], y[labelled], x[20:], x_test, y_test, 5)
    assert lr > 0.9 and spread > 0.9


def test_label_spreading_counts_unreached_test_images_as_errors():
    arrays = make_arrays(n_train=100, n_test=50)
    x, y = arrays["train_images"], arrays["train_labels"].astype(np.int64)
    # only class 0 is labelled, and the graph (1 neighbour) never links other classes to it
    only_zero = np.flatnonzero(y == 0)[:2]
    accuracy = classical.label_spreading_accuracy(
        x[only_zero], y[only_zero], x[y != 0], arrays["test_images"], arrays["test_labels"], 1
    )
    assert accuracy <= 0.1 + 1e-9  # at most the class-0 test images


def test_bounded_figures_get_intervals_inside_their_range_at_the_edges():
    # the default study's 20-label SGAN: spread wide enough that the t interval leaves [0, 1]
    near_top = [0.9993, 0.9, 0.62]
    plain = aggregate.summarise(near_top, 0.95)
    assert plain["ci_high"] > 1 and plain["interval"] == "t"
    inside = aggregate.summarise(near_top, 0.95, (0.0, 1.0))
    assert 0 < inside["ci_low"] < inside["ci_high"] < 1 and inside["interval"] == "t-logit"
    assert inside["mean"] == plain["mean"] and inside["std"] == plain["std"]
    # the logit-scale interval is the t interval of the logits, mapped back
    z = np.log(np.array(near_top) / (1 - np.array(near_top)))
    half = stats.t.ppf(0.975, 2) * z.std(ddof=1) / np.sqrt(3)
    assert inside["ci_high"] == pytest.approx(1 / (1 + np.exp(-(z.mean() + half))))
    # near the lower edge of a figure bounded below only (FID-style, W1)
    low = aggregate.summarise([0.05, 0.9, 0.01], 0.95, (0.0, None))
    assert low["ci_low"] > 0 and low["interval"] == "t-log"
    # a seed on the bound itself: the t interval cut at the range, said so
    edge = aggregate.summarise([1.0, 0.5, 0.7], 0.95, (0.0, 1.0))
    assert edge["interval"] == "t-clipped" and edge["ci_high"] == 1.0 and edge["ci_low"] >= 0
    # no spread: the interval is the value itself, on any scale
    flat = aggregate.summarise([0.9, 0.9, 0.9], 0.95, (0.0, 1.0))
    assert flat["ci_low"] == pytest.approx(0.9) and flat["ci_high"] == pytest.approx(0.9)
    # bounded above only: mirrored log scale
    top = aggregate.summarise([9.9, 5.0, 9.99], 0.95, (None, 10.0))
    assert top["ci_high"] < 10 and top["interval"] == "t-log"


def test_the_study_tables_accuracy_intervals_stay_inside_zero_and_one():
    cells = [
        {"labels": 20, "seed": s, "accuracy": {"supervised": a, "sgan": b}}
        for s, (a, b) in enumerate([(0.6, 0.99), (0.5, 0.7), (0.55, 0.95)])
    ]
    table = aggregate.study_table(cells, 0.95, ["supervised", "sgan"])
    sgan = table["20"]["methods"]["sgan"]
    assert sgan["ci_high"] < 1 and sgan["interval"] == "t-logit"


def test_welch_difference_matches_scipy_and_is_undefined_below_two_seeds():
    a, b = [14.8, 16.0, 15.1], [17.4, 21.0, 19.2, 18.1]
    d = aggregate.welch_difference(a, b)
    test = stats.ttest_ind(a, b, equal_var=False)
    assert d["p_value"] == pytest.approx(test.pvalue)
    assert d["mean_difference"] == pytest.approx(np.mean(a) - np.mean(b))
    # the interval is the one whose test the p-value is: zero inside exactly when p >= 0.05
    half = stats.t.ppf(0.975, d["df"]) * np.sqrt(np.var(a, ddof=1) / 3 + np.var(b, ddof=1) / 4)
    assert d["ci_high"] == pytest.approx(d["mean_difference"] + half)
    assert (d["ci_low"] <= 0 <= d["ci_high"]) == (d["p_value"] >= 0.05)
    assert aggregate.welch_difference([14.8], b)["ci_low"] is None
