"""core.nn.maps: PCA by hand-made cases and against NumPy's full SVD, the layers a map can show, neighbour agreement."""
import numpy as np
import pytest

from core.data import load_dataset, to_inputs
from core.io import load_model
from core.nn.maps import fit_pca, layer_outputs, map_layers, map_subset, neighbour_agreement
from tests.test_weights import WEIGHTS


@pytest.fixture(scope="module")
def pixels():
    """The map's 2,000 test digits as rows (2000, 784), and their labels."""
    images, labels = load_dataset("mnist", "test")
    shown = map_subset(len(images))
    return to_inputs(images)[shown], labels[shown]


def test_points_on_a_line_need_one_component_which_explains_all_the_variance():
    direction = np.array([3.0, -4.0, 0.0]) / 5                     # a unit vector; its largest entry is negative
    t = np.array([-2.0, -1.0, 0.5, 1.0, 1.5])
    X = np.array([1.0, 2.0, 3.0]) + t[:, None] * direction         # 5 points on a line through (1, 2, 3)
    pca, coords = fit_pca(X)
    assert pca.explained_variance_ratio == pytest.approx([1.0, 0.0], abs=1e-12)
    assert pca.components[0] == pytest.approx(-direction)          # the sign rule: the largest |entry| is positive
    assert coords[:, 0] == pytest.approx(-(t - t.mean()))          # each point's position along the line, centred
    assert coords[:, 1] == pytest.approx(0, abs=1e-12)


def test_the_transform_of_the_fitted_rows_is_their_map_and_the_variances_are_those_of_the_projections(pixels):
    X, _ = pixels
    pca, coords = fit_pca(X)
    assert pca.transform(X) == pytest.approx(coords, abs=1e-9)
    total = np.var(X.astype(np.float64), axis=0, ddof=1).sum()      # the variance of all 784 pixels together
    assert pca.explained_variance_ratio == pytest.approx(np.var(coords, axis=0, ddof=1) / total, rel=1e-9)


def test_the_components_are_numpys_full_svd_and_their_signs_do_not_depend_on_the_row_order(pixels):
    X, _ = pixels
    pca, _ = fit_pca(X)
    Xc = X.astype(np.float64) - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    for v, exact in zip(pca.components, Vt[:2]):
        assert abs(v @ exact) == pytest.approx(1, abs=1e-9)           # the same direction
        assert v[np.abs(v).argmax()] > 0                              # with the fixed sign
    assert pca.explained_variance_ratio == pytest.approx(S[:2] ** 2 / (S ** 2).sum(), rel=1e-9)
    reordered, _ = fit_pca(X[::-1])
    assert reordered.components == pytest.approx(pca.components, abs=1e-9)


def test_neighbour_agreement_of_two_far_clusters_is_one_and_of_a_hand_made_line_its_count():
    coords = np.array([[0, 0], [0, 1], [1, 0], [10, 10], [10, 11], [11, 10]], float)
    assert neighbour_agreement(coords, np.array([0, 0, 0, 1, 1, 1]), k=2) == 1.0
    line = np.array([[0, 0], [1, 0], [3, 0], [4, 0]], float)       # pairs: 0-1 and 3-4 are each other's nearest
    assert neighbour_agreement(line, np.array([0, 0, 1, 1]), k=1) == 1.0
    # labels a a a b: 0 -> 1 (same), 1 -> 0 (same), 3 -> 4 (differs), 4 -> 3 (differs): 2 of 4
    assert neighbour_agreement(line, np.array([0, 0, 0, 1]), k=1) == 0.5


def test_a_dense_networks_layers_are_the_pixels_each_hidden_activation_and_the_logits(pixels):
    net, _ = load_model(WEIGHTS / "3b1b-16-16.npz")
    X = pixels[0][:300]
    assert map_layers(net) == [("input pixels (784)", 0), ("hidden layer 1 (16 relu)", 1),
                               ("hidden layer 2 (16 relu)", 2), ("logits (10)", 3)]
    A0, A1, A2, Z3 = layer_outputs(net, X, [0, 1, 2, 3])
    A = X.astype(np.float64)
    by_hand = [A]
    for W, b in zip(net.weights, net.biases):
        Z = A @ W + b                                                 # Z_l = A_{l-1} W_l + b_l
        A = np.maximum(Z, 0)                                          # A_l = relu(Z_l)
        by_hand.append(A)
    by_hand[-1] = Z                                                   # the logits: no activation
    for shown, expected in zip((A0, A1, A2, Z3), by_hand):
        assert shown == pytest.approx(expected, abs=1e-4)


def test_a_cnns_layers_are_each_convolution_and_pooling_flattened_the_dense_layers_and_the_logits(pixels):
    net, _ = load_model(WEIGHTS / "cnn-99.npz")
    layers = map_layers(net)
    assert [name for name, _ in layers] == [
        "input pixels (784)", "convolution 1 + relu (12544)", "max-pool 1 (3136)", "convolution 2 + relu (3200)",
        "max-pool 2 (800)", "dense 128 + relu", "logits (10)"]
    X = pixels[0][:260]                                               # more than one batch of 250
    outputs = layer_outputs(net, X, [index for _, index in layers])
    fwd = net.forward(X)
    assert [A.shape for A in outputs] == [(260, d) for d in (784, 12544, 3136, 3200, 800, 128, 10)]
    for (_, index), shown in zip(layers, outputs):
        assert shown == pytest.approx(fwd.As[index].reshape(len(X), -1), rel=1e-5, abs=1e-5)  # batches round apart
    assert outputs[-1] == pytest.approx(fwd.logits, rel=1e-5, abs=1e-5)
