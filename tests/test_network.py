import numpy as np
import pytest

from core.nn.activations import ACTIVATIONS
from core.nn.gradcheck import gradient_check, nudge
from core.nn.layers import dropout_mask
from core.nn.losses import OUTPUTS, cross_entropy, one_hot, softmax, softmax_steps
from core.nn.network import Network


def small_network(activation="relu", output="softmax", hidden=(7, 5), seed=0):
    net = Network.create(hidden, activation, output, seed=seed, dtype=np.float64)
    for b in net.biases:  # non-zero biases, so their gradients are tested too
        b += np.random.default_rng(seed).normal(0, 0.1, b.shape)
    return net


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backprop_matches_central_differences_for_every_activation_and_loss(activation, output, rng):
    net = small_network(activation, output)
    X, y = rng.random((6, 784)), rng.integers(0, 10, 6)
    errors = gradient_check(net, X, y, entries=30)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors


def test_backprop_matches_central_differences_with_dropout_mask_and_l2(rng):
    net = small_network("relu")
    X, y = rng.random((6, 784)), rng.integers(0, 10, 6)
    masks = [dropout_mask((6, 7), 0.5, rng, np.float64), dropout_mask((6, 5), 0.5, rng, np.float64)]
    errors = gradient_check(net, X, y, l2=0.05, masks=masks, entries=30)
    assert max(errors.values()) < 1e-6, errors
    # the mask really changes the gradient: without it the analytic gradients differ
    with_mask = net.gradients(X, y, masks=masks)[1]["W1"]
    assert not np.allclose(with_mask, net.gradients(X, y)[1]["W1"])


@pytest.mark.parametrize("depth", [0, 1, 4])
def test_any_depth_from_zero_to_four_hidden_layers_trains_its_gradients_right(depth, rng):
    net = small_network(hidden=(6,) * depth)
    assert net.sizes == [784, *(6,) * depth, 10]
    X, y = rng.random((3, 784)), rng.integers(0, 10, 3)
    assert max(gradient_check(net, X, y).values()) < 1e-6


def test_hand_worked_example_two_inputs_two_classes():
    # X = [1, 2]; W1 = [[1, -1], [0.5, 1]], b1 = [0, -1]
    # Z1 = [1*1 + 2*0.5 + 0, 1*(-1) + 2*1 - 1] = [2, 0];  A1 = relu(Z1) = [2, 0]
    # W2 = [[0.5, -0.5], [1, 1]], b2 = 0:  Z2 = [2*0.5, 2*(-0.5)] = [1, -1]
    # P = softmax([1, -1]) = [1/(1+e^-2), e^-2/(1+e^-2)] = [0.880797, 0.119203]
    # label 0: L = -ln 0.880797 = 0.126928
    net = Network([np.array([[1.0, -1.0], [0.5, 1.0]]), np.array([[0.5, -0.5], [1.0, 1.0]])],
                  [np.array([0.0, -1.0]), np.zeros(2)])
    X, y = np.array([[1.0, 2.0]]), np.array([0])
    fwd = net.forward(X)
    assert fwd.Zs[0].tolist() == [[2.0, 0.0]] and fwd.Zs[1].tolist() == [[1.0, -1.0]]
    assert fwd.P[0] == pytest.approx([0.880797, 0.119203], abs=1e-6)
    loss, g = net.gradients(X, y)
    assert loss == pytest.approx(0.126928, abs=1e-6)
    # dZ2 = P - Y = [-0.119203, 0.119203];  dW2 = A1^T dZ2 = [[2 * -0.119203, 2 * 0.119203], [0, 0]]
    assert g["W2"] == pytest.approx(np.array([[-0.238406, 0.238406], [0, 0]]), abs=1e-6)
    assert g["b2"] == pytest.approx([-0.119203, 0.119203], abs=1e-6)
    # dA1 = dZ2 W2^T = [-0.119203*0.5 + 0.119203*(-0.5), -0.119203 + 0.119203] = [-0.119203, 0]
    # dZ1 = dA1 * relu'(Z1) = [-0.119203, 0];  dW1 = X^T dZ1 = [[-0.119203, 0], [-0.238406, 0]]
    assert g["W1"] == pytest.approx(np.array([[-0.119203, 0], [-0.238406, 0]]), abs=1e-6)
    assert g["b1"] == pytest.approx([-0.119203, 0], abs=1e-6)


def test_softmax_is_stable_for_huge_logits():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=np.float32)
    P = softmax(Z)
    assert np.isfinite(P).all()
    assert P[0] == pytest.approx([1, 0, 0]) and P[1] == pytest.approx([1 / 3] * 3)
    assert np.isfinite(cross_entropy(P, np.array([1, 0])))  # log of a probability of 0 stays finite


def test_softmax_steps_agree_with_the_fast_path_and_temperature_flattens():
    z = np.array([2.0, 1.0, -3.0])
    steps = softmax_steps(z)
    assert steps["shifted"].max() == 0
    assert steps["p"] == pytest.approx(softmax(z[None])[0])
    assert steps["exp"] / steps["sum"] == pytest.approx(steps["p"])
    assert softmax_steps(z, temperature=10)["p"].max() < steps["p"].max()


def test_softmax_with_a_temperature_by_hand():
    z = np.array([0.0, np.log(3.0)])             # e^0 : e^ln3 = 1 : 3
    assert softmax_steps(z)["p"] == pytest.approx([0.25, 0.75])
    root3 = np.sqrt(3.0)                          # z / 2 = (0, ln 3 / 2): e^0 : e^(ln 3 / 2) = 1 : sqrt(3)
    assert softmax_steps(z, temperature=2)["p"] == pytest.approx([1 / (1 + root3), root3 / (1 + root3)])
    assert softmax_steps(z, temperature=0.5)["p"] == pytest.approx([0.1, 0.9])  # z / 0.5: 1 : 9


def test_logits_are_what_softmax_turns_into_the_probabilities(rng):
    net = small_network()
    fwd = net.forward(rng.random((3, 784)))
    assert fwd.logits.shape == (3, 10) and np.allclose(softmax(fwd.logits), fwd.P)


def test_input_gradient_is_the_slope_of_the_class_score(rng):
    net = small_network("tanh")
    x = rng.random((1, 784))
    saliency = net.input_gradient(x, label=3)
    assert saliency.shape == (1, 784)
    eps, pixel = 1e-6, 400
    up, down = x.copy(), x.copy()
    up[0, pixel] += eps
    down[0, pixel] -= eps
    slope = (net.forward(up).Zs[-1][0, 3] - net.forward(down).Zs[-1][0, 3]) / (2 * eps)
    assert saliency[0, pixel] == pytest.approx(slope, rel=1e-6)


def test_nudge_restores_the_weight_and_reports_the_slope(rng):
    net = small_network()
    X, y = rng.random((2, 784)), np.array([1, 2])
    before = net.weights[0].copy()
    result = nudge(net, "W1", (10, 3), X, y)
    assert np.array_equal(net.weights[0], before)
    assert result["slope"] == pytest.approx(net.gradients(X, y)[1]["W1"][10, 3], rel=1e-5)


def test_initialisation_fits_the_activation():
    relu = Network.create((1000,), "relu", seed=1)
    sigmoid = Network.create((1000,), "sigmoid", seed=1)
    assert relu.weights[0].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)        # He
    assert np.abs(sigmoid.weights[0]).max() <= np.sqrt(6 / (784 + 1000))              # Glorot
    assert Network.create((1000,), init="lecun").weights[0].std() == pytest.approx(np.sqrt(1 / 784), rel=0.02)
    assert relu.weights[0].dtype == np.float32 and relu.copy(np.float64).weights[0].dtype == np.float64


def test_predictions_have_the_right_shapes_and_sum_to_one(rng):
    net = Network.create((16,))
    net.PREDICT_BATCH = 7  # chunks of 7, 7, 7 and 4 images
    X = rng.random((25, 784)).astype(np.float32)
    P = net.predict_proba(X)
    assert P.shape == (25, 10) and P.sum(axis=1) == pytest.approx(np.ones(25), abs=1e-5)
    assert net.predict(X).tolist() == P.argmax(axis=1).tolist()


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown activation"):
        Network.create(activation="swish")
    with pytest.raises(ValueError, match="unknown output"):
        Network.create(output="linear")
    with pytest.raises(ValueError, match="at least one neuron"):
        Network.create((0,))


def test_one_hot():
    assert one_hot(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]


def test_both_networks_keep_one_contract(rng):
    from core.nn.cnn import ConvNet
    from core.nn.network import Classifier
    X, y = rng.random((3, 784)), np.array([1, 7, 3])
    for net in (Network.create((5,), dtype=np.float64), ConvNet.create(((2, 3, "valid"),), (4,), dtype=np.float64)):
        assert isinstance(net, Classifier)
        fwd = net.forward(X)
        assert fwd.P.shape == fwd.logits.shape == (3, 10)
        loss, grads = net.gradients(X, y, l2=0.1)
        assert set(grads) == set(net.params()) and all(grads[k].shape == p.shape for k, p in net.params().items())
        # one place computes the objective: the output's loss plus (l2/2) sum ||W||^2 over the weights only
        penalty = 0.05 * sum(float(np.sum(W * W)) for name, W in net.params().items() if not name.startswith("b"))
        assert loss == pytest.approx(net.loss(X, y) + penalty) == pytest.approx(net.loss(X, y, l2=0.1))
