"""The digits drawn in the browser by several made-up hands (support/drawn_digits.py): a guard on how well the
shipped `fast` model reads handwriting that is not MNIST's."""
import numpy as np

from core.data import to_inputs
from core.io import load_model
from support.drawn_digits import HANDS, OUT, TEMPLATES
from tests.test_weights import WEIGHTS

FAST_READS_AT_LEAST = 0.9  # measured 59 of 60 (0.983) on 2 Dec 2026: a guard that allows 5 more mistakes, no target


def drawn():
    with np.load(OUT) as saved:
        return saved["images"], saved["labels"]


def test_the_set_holds_every_digit_by_every_hand_as_prepared_28_by_28_images():
    images, labels = drawn()
    assert images.shape == (len(HANDS) * len(TEMPLATES), 28, 28) and images.dtype == np.uint8
    assert len(labels) >= 50 and np.array_equal(np.bincount(labels, minlength=10), [len(HANDS)] * 10)
    assert (images.reshape(len(images), -1).max(axis=1) > 200).all()  # every one has ink


def test_the_shipped_fast_model_reads_most_of_them():
    images, labels = drawn()
    network, _ = load_model(WEIGHTS / "fast.npz")
    assert network.accuracy(to_inputs(images), labels) >= FAST_READS_AT_LEAST
