"""Silencing units and editing weights (core.nn.ablation), checked against forward passes computed here."""
import hashlib

import numpy as np
import pytest

from core.io import load_model
from core.nn.ablation import (Edits, edited, importance, most_important, per_class_accuracy, random_units,
                              silenceable_layers)
from core.nn.activations import relu
from core.nn.conv import MaxPool2D
from tests.test_weights import WEIGHTS

UNITS = [3, 17, 100, 255]


@pytest.fixture(scope="module")
def fast():
    return load_model(WEIGHTS / "fast.npz")[0]


@pytest.fixture(scope="module")
def cnn():
    return load_model(WEIGHTS / "cnn-99.npz")[0]


def weights_hash(network) -> str:
    h = hashlib.sha256()
    for name, p in network.params().items():
        h.update(name.encode() + p.tobytes())
    return h.hexdigest()


def test_silencing_hidden_neurons_gives_the_forward_pass_with_their_activations_zeroed(fast, mnist_test):
    X, y = mnist_test
    A1 = relu(X @ fast.weights[0] + fast.biases[0])            # (N, 256), computed here
    A1[:, UNITS] = 0                                           # the silenced neurons output 0
    logits = A1 @ fast.weights[1] + fast.biases[1]
    silenced = edited(fast, Edits().silence(0, UNITS))
    assert silenced.accuracy(X, y) == np.mean(logits.argmax(axis=1) == y)
    np.testing.assert_allclose(silenced.forward(X[:500]).logits, logits[:500], atol=1e-5)
    assert silenced.accuracy(X, y) != fast.accuracy(X, y)    # the units mattered: the check above is not vacuous


@pytest.mark.parametrize("block, filters", [(1, [0, 5, 9]), (2, [1, 30])])
def test_silencing_cnn_filters_zeroes_their_whole_feature_maps(cnn, mnist_test, block, filters):
    X, y = mnist_test[0][:300], mnist_test[1][:300]
    A, pools = X.reshape(-1, 28, 28, 1), 0
    for layer in cnn.layers:                                   # core's layers, one by one, with the maps zeroed
        A = layer.forward(A)[0]
        if isinstance(layer, MaxPool2D):
            pools += 1
            if pools == block:
                A = A.copy()
                A[..., filters] = 0                            # the block's pooled maps, what the next layer reads
    silenced = edited(cnn, Edits().silence(block - 1, filters))
    np.testing.assert_allclose(silenced.forward(X).logits, A, atol=1e-4)
    assert silenced.accuracy(X, y) == np.mean(A.argmax(axis=1) == y)


def test_the_cnn_offers_its_filters_and_its_dense_neurons(cnn, fast):
    assert [(layer.name, layer.size) for layer in silenceable_layers(cnn)] == [
        ("convolution 1 (filters)", 16), ("convolution 2 (filters)", 32), ("dense layer 3 (neurons)", 128)]
    assert [(layer.name, layer.size) for layer in silenceable_layers(fast)] == [("hidden layer 1", 256)]


def test_scaling_and_setting_one_weight_change_that_weight_only(fast):
    edits = Edits().edit_weight("W2", 7, 3, "scale", -2.0).edit_weight("W1", 400, 9, "set", 0.5)
    changed = edited(fast, edits)
    expected = [W.copy() for W in fast.weights]
    expected[1][7, 3] *= -2.0                                  # w <- -2 w
    expected[0][400, 9] = 0.5                                  # w <- 0.5
    for got, want in zip(changed.weights, expected):
        np.testing.assert_array_equal(got, want)


def test_a_kernel_is_edited_as_the_matrix_im2col_multiplies_by(cnn):
    changed = edited(cnn, Edits().edit_weight("K2", (0 * 5 + 1) * 16 + 2, 4, "set", 9.0))  # row (i * k + j) * C + c
    assert changed.params()["K2"][0, 1, 2, 4] == 9.0
    assert np.sum(changed.params()["K2"] != cnn.params()["K2"]) == 1


def test_bad_edits_are_refused_with_the_valid_range(fast):
    with pytest.raises(ValueError, match="rows 0-255 and columns 0-9"):
        edited(fast, Edits().edit_weight("W2", 256, 0, "set", 1.0))
    with pytest.raises(ValueError, match="units 0-255"):
        edited(fast, Edits().silence(0, [256]))
    with pytest.raises(ValueError, match="scaled or set"):
        Edits().edit_weight("W2", 0, 0, "add", 1.0)


def test_the_original_network_is_untouched(fast, mnist_test):
    before = weights_hash(fast)
    edited(fast, Edits().silence(0, range(50)).edit_weight("W1", 0, 0, "scale", 10.0))
    importance(fast, mnist_test[0][:200], mnist_test[1][:200], 0)
    assert weights_hash(fast) == before


def test_per_class_accuracy_counts_each_class_apart():
    labels = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0, 0])
    # class 0: 1 of 2 right; class 1: 2 of 3; class 2: 0 of 1; class 3: no images -> 0
    np.testing.assert_allclose(per_class_accuracy(predicted, labels, 4), [0.5, 2 / 3, 0.0, 0.0])


def test_silencing_the_ten_most_important_costs_more_than_ten_random_ones(fast, mnist_test):
    X, y = mnist_test
    scores = importance(fast, X, y, 0)
    top = most_important(scores, 10)
    base = fast.accuracy(X, y)
    alone = [base - edited(fast, Edits().silence(0, [k])).accuracy(X, y) for k in top[:3]]
    np.testing.assert_allclose(scores[top[:3]], alone, atol=5e-5)  # the drop; the loss's part is below 1 image's 1e-4
    worst = fast.accuracy(X, y) - edited(fast, Edits().silence(0, top)).accuracy(X, y)
    random = [base - edited(fast, Edits().silence(0, random_units(256, 10, seed))).accuracy(X, y) for seed in range(10)]
    print(f"fast: accuracy {base:.4f}; the 10 most important silenced: -{worst:.4f}; 10 random: "
          f"-{np.mean(random):.4f} on average, at most -{max(random):.4f}")
    assert worst > max(random)


def test_random_units_are_distinct_and_reproducible():
    units = random_units(16, 10, seed=3)
    assert len(set(units)) == 10 and units.max() < 16
    np.testing.assert_array_equal(units, random_units(16, 10, seed=3))
    assert len(random_units(4, 10, seed=0)) == 4
