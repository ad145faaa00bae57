import numpy as np
import pytest

from ganbench.data import labels

TRAIN_LABELS = np.repeat(np.arange(10, dtype=np.uint8), 30)[
    np.random.default_rng(3).permutation(300)
]


@pytest.mark.parametrize("count", [10, 50, 100])
def test_balanced_has_size_and_equal_classes(count):
    chosen = labels.balanced(TRAIN_LABELS, count, seed=0)
    assert len(chosen) == count
    assert len(np.unique(chosen)) == count
    np.testing.assert_array_equal(np.bincount(TRAIN_LABELS[chosen], minlength=10), count // 10)


def test_same_seed_same_subset_different_seed_different_subset():
    a = labels.balanced(TRAIN_LABELS, 50, seed=1)
    np.testing.assert_array_equal(a, labels.balanced(TRAIN_LABELS, 50, seed=1))
    assert not np.array_equal(a, labels.balanced(TRAIN_LABELS, 50, seed=2))


def test_first_is_the_first_n_images():
    np.testing.assert_array_equal(labels.first(TRAIN_LABELS, 7), np.arange(7))


@pytest.mark.parametrize("count", [0, -10, 95])
def test_balanced_refuses_counts_that_are_not_positive_multiples_of_ten(count):
    with pytest.raises(labels.LabelSubsetError, match="positive multiple of 10"):
        labels.balanced(TRAIN_LABELS, count, seed=0)


def test_balanced_refuses_more_than_a_class_holds():
    with pytest.raises(labels.LabelSubsetError, match="class 0 has 30 training images"):
        labels.balanced(TRAIN_LABELS, 310, seed=0)


def test_first_refuses_more_than_the_training_set():
    with pytest.raises(labels.LabelSubsetError, match="between 1 and the 300"):
        labels.first(TRAIN_LABELS, 301)


def test_written_subsets_load_back(tmp_path):
    labels.write_subsets(tmp_path, TRAIN_LABELS, 20, 4)
    np.testing.assert_array_equal(
        labels.load_subset(tmp_path, 20, 4, "balanced"), labels.balanced(TRAIN_LABELS, 20, 4)
    )
    np.testing.assert_array_equal(labels.load_subset(tmp_path, 20, 4, "first"), np.arange(20))


def test_missing_subset_names_file_and_fix(tmp_path):
    with pytest.raises(labels.LabelSubsetError, match=r"30-0.json: labelled subset not prepared"):
        labels.load_subset(tmp_path, 30, 0, "balanced")
