import io
import json
from pathlib import Path

import numpy as np
import pytest

from core.data import load_mnist
from core.evaluate import accuracy_under_shift, shift_images
from core.io import ModelFileError, load_model, model_bytes
from core.nn.cnn import ConvNet
from core.nn.conv import conv_backward, conv_forward, maxpool_backward, maxpool_forward, output_size
from core.nn.gradcheck import gradient_check, relative_error
from core.presets import preset_config
from core.training import Trainer, build_network, make_splits


def naive_convolution(X, K, b, padding):
    """The definition, one output value at a time: Z[n, y, x, f] = sum_{i,j,c} Xp[n, y+i, x+j, c] K[i, j, c, f] + b[f]."""
    kh, kw, C, F = K.shape
    top, left = ((kh - 1) // 2, (kw - 1) // 2) if padding == "same" else (0, 0)
    Xp = np.pad(X, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0))) if padding == "same" else X
    N, Hp, Wp, _ = Xp.shape
    Z = np.zeros((N, Hp - kh + 1, Wp - kw + 1, F))
    for n in range(N):
        for y in range(Z.shape[1]):
            for x in range(Z.shape[2]):
                for f in range(F):
                    Z[n, y, x, f] = np.sum(Xp[n, y:y + kh, x:x + kw] * K[..., f]) + b[f]
    return Z


def central_differences(f, A, eps=1e-6):
    """dL/dA for a scalar function L = f(A), one entry at a time."""
    grad = np.zeros_like(A)
    for index in np.ndindex(A.shape):
        keep = A[index]
        A[index] = keep + eps
        plus = f()
        A[index] = keep - eps
        minus = f()
        A[index] = keep
        grad[index] = (plus - minus) / (2 * eps)
    return grad


CONV_CASES = [(3, "valid"), (3, "same"), (2, "same"), (4, "valid"), (5, "same")]


@pytest.mark.parametrize("kernel,padding", CONV_CASES)
def test_convolution_forward_equals_its_definition_on_odd_sizes(kernel, padding, rng):
    X, K, b = rng.normal(size=(2, 7, 5, 2)), rng.normal(size=(kernel, kernel, 2, 3)), rng.normal(size=3)
    Z, cols = conv_forward(X, K, b, padding)
    assert Z.shape == (2, output_size(7, kernel, padding), output_size(5, kernel, padding), 3)
    assert cols.shape == (2 * Z.shape[1] * Z.shape[2], kernel * kernel * 2)
    np.testing.assert_allclose(Z, naive_convolution(X, K, b, padding), atol=1e-12)


@pytest.mark.parametrize("kernel,padding", CONV_CASES)
def test_convolution_backward_matches_central_differences_for_input_kernel_and_bias(kernel, padding, rng):
    X, K, b = rng.normal(size=(2, 7, 5, 2)), rng.normal(size=(kernel, kernel, 2, 3)), rng.normal(size=3)
    R = rng.normal(size=conv_forward(X, K, b, padding)[0].shape)   # L = sum(Z * R), so dL/dZ = R

    def loss():
        return float(np.sum(conv_forward(X, K, b, padding)[0] * R))

    _, cols = conv_forward(X, K, b, padding)
    dX, dK, db = conv_backward(R, cols, K, X.shape, padding)
    for analytic, array in ((dX, X), (dK, K), (db, b)):
        assert analytic.shape == array.shape
        assert relative_error(analytic, central_differences(loss, array)) < 1e-8


def test_max_pooling_keeps_each_windows_maximum_and_drops_an_odd_edge():
    X = np.arange(7 * 5, dtype=float).reshape(1, 7, 5, 1) % 11       # 7×5: the last row and column are dropped
    out, winner = maxpool_forward(X)
    assert out.shape == (1, 3, 2, 1)
    expected = [[max(X[0, 2 * r:2 * r + 2, 2 * c:2 * c + 2, 0].ravel()) for c in range(2)] for r in range(3)]
    np.testing.assert_array_equal(out[0, ..., 0], expected)
    # row 0, column 0: the window [[0, 1], [5, 6]] is won by its bottom-right entry, q = 1·2 + 1 = 3
    assert winner[0, 0, 0, 0] == 3


def test_max_pooling_gives_a_tie_to_one_input_only():
    X = np.zeros((1, 2, 2, 1))
    out, winner = maxpool_forward(X)
    dX = maxpool_backward(np.ones_like(out), winner, X.shape)
    assert dX.sum() == 1 and dX[0, 0, 0, 0] == 1


def test_max_pooling_backward_matches_central_differences_on_odd_sizes(rng):
    X = rng.normal(size=(2, 7, 5, 3))
    R = rng.normal(size=(2, 3, 2, 3))
    out, winner = maxpool_forward(X)
    dX = maxpool_backward(R, winner, X.shape)
    numeric = central_differences(lambda: float(np.sum(maxpool_forward(X)[0] * R)), X)
    assert relative_error(dX, numeric) < 1e-8
    assert np.all(dX[:, 6] == 0) and np.all(dX[:, :, 4] == 0)   # the dropped edge gets no gradient


def small_convnet(convs, hidden=(7,), output="softmax", seed=0):
    net = ConvNet.create(convs, hidden, output=output, seed=seed, dtype=np.float64)
    for name, p in net.params().items():   # non-zero biases: with b = 0 a blank patch sits exactly on ReLU's kink
        if name.startswith("b"):
            p += np.random.default_rng(seed).normal(0, 0.1, p.shape)
    return net


@pytest.mark.parametrize("convs", [((3, 3, "valid"),), ((2, 4, "same"), (3, 3, "same")),
                                   ((2, 5, "same"), (3, 5, "valid"))])
@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_whole_convnet_backprop_matches_central_differences(convs, output, rng):
    net = small_convnet(convs, output=output)
    X, y = rng.random((3, 784)), rng.integers(0, 10, 3)
    errors = gradient_check(net, X, y, l2=0.01, entries=25)
    assert set(errors) == set(net.params())
    assert max(errors.values()) < 1e-6, errors


def test_input_gradient_of_a_convnet_matches_central_differences(rng):
    net = small_convnet(((2, 3, "same"),))
    X = rng.random((1, 784))
    saliency = net.input_gradient(X, 4)
    assert saliency.shape == (1, 784)
    pixels = rng.choice(784, 12, replace=False)
    numeric = []  # d logit_4 / d pixel p; the logits are the last layer's output, As[-1]
    for p in pixels:
        keep = X[0, p]
        X[0, p] = keep + 1e-6
        plus = net.forward(X).As[-1][0, 4]
        X[0, p] = keep - 1e-6
        minus = net.forward(X).As[-1][0, 4]
        X[0, p] = keep
        numeric.append((plus - minus) / 2e-6)
    assert relative_error(saliency[0, pixels], numeric) < 1e-7


def test_lenet_preset_shapes_walk_through_every_layer():
    net = build_network(preset_config("lenet"))
    assert net.layer_shapes() == [
        ("conv 6@5×5 same", (28, 28, 6)), ("relu", (28, 28, 6)), ("max-pool 2×2", (14, 14, 6)),
        ("conv 16@5×5 valid", (10, 10, 16)), ("relu", (10, 10, 16)), ("max-pool 2×2", (5, 5, 16)),
        ("flatten", (400,)), ("dense 120", (120,)), ("relu", (120,)), ("dense 84", (84,)), ("relu", (84,)),
        ("dense 10", (10,))]
    fwd = net.forward(np.zeros((3, 784), np.float32))
    assert [a.shape[1:] for a in fwd.As[1:]] == [shape for _, shape in net.layer_shapes()]
    assert fwd.P.shape == (3, 10)
    assert {name: p.shape for name, p in net.params().items()} == {
        "K1": (5, 5, 1, 6), "b1": (6,), "K2": (5, 5, 6, 16), "b2": (16,), "W3": (400, 120), "b3": (120,),
        "W4": (120, 84), "b4": (84,), "W5": (84, 10), "b5": (10,)}


def test_cnn99_preset_shapes_walk_through_every_layer():
    net = build_network(preset_config("cnn-99"))
    assert [shape for _, shape in net.layer_shapes()] == [
        (28, 28, 16), (28, 28, 16), (14, 14, 16), (10, 10, 32), (10, 10, 32), (5, 5, 32), (800,), (128,), (128,), (10,)]
    assert net.architecture == ("28×28 → conv 16@5×5 same → max-pool 2×2 → conv 32@5×5 valid → max-pool 2×2 → "
                                "flatten → dense 128 → dense 10 → 10 softmax")


def test_a_kernel_that_does_not_fit_is_refused_with_a_message():
    with pytest.raises(ValueError, match="does not fit"):
        ConvNet.create(((4, 29, "valid"),))
    with pytest.raises(ValueError, match="padding"):
        ConvNet.create(((4, 3, "full"),))


def test_dropout_is_refused_for_a_convnet_rather_than_ignored():
    with pytest.raises(ValueError, match="dense networks only"):
        ConvNet.create(((2, 3, "same"),)).forward(np.zeros((1, 784)), dropout=0.5)


def test_a_small_convnet_learns_mnist_through_the_same_trainer(mnist_train):
    images, labels = mnist_train
    config = preset_config("lenet", epochs=1, train_size=3000, val_size=500)
    trainer = Trainer(config, make_splits(config, images, labels))
    events = list(trainer.run())
    assert events[-1].kind == "epoch" and events[-1].val_accuracy > 0.8
    assert events[-1].train_loss < events[0].batch_loss


def test_convnet_file_round_trip_keeps_every_array_and_prediction(rng):
    net = small_convnet(((2, 3, "same"), (3, 3, "valid")), hidden=(5,))
    loaded, meta = load_model(model_bytes(net, {"test_accuracy": 0.5}))
    assert isinstance(loaded, ConvNet) and meta["convs"] == [[2, 3, "same"], [3, 3, "valid"]]
    X = rng.random((4, 784))
    np.testing.assert_array_equal(loaded.predict_proba(X), net.predict_proba(X))
    assert loaded.params().keys() == net.params().keys()


def npz_bytes(arrays: dict, meta: dict) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays, meta=np.array(json.dumps(meta)))
    return buffer.getvalue()


def test_convnet_file_with_wrong_shapes_or_blocks_is_refused():
    net = small_convnet(((2, 3, "same"),), hidden=(5,))
    meta = json.loads(str(np.load(io.BytesIO(model_bytes(net)))["meta"]))
    with pytest.raises(ModelFileError, match="K1 has shape"):
        load_model(npz_bytes({**net.params(), "K1": np.zeros((3, 3, 1, 4))}, meta))
    with pytest.raises(ModelFileError, match="convolution blocks"):
        load_model(npz_bytes(net.params(), {**meta, "convs": [[2, 99, "valid"]]}))
    with pytest.raises(ModelFileError, match="Expected parameters"):
        load_model(npz_bytes({k: v for k, v in net.params().items() if k != "b1"}, meta))
    with pytest.raises(ModelFileError, match="NaN"):
        load_model(npz_bytes({**net.params(), "K1": np.full((3, 3, 1, 2), np.nan)}, meta))
    with pytest.raises(ModelFileError, match=r"b1 has shape \(3,\); the recorded blocks need \(2,\)"):
        load_model(npz_bytes({**net.params(), "b1": np.zeros(3, np.float32)}, meta))
    with pytest.raises(ModelFileError, match=r"float32 \(W3\), float64 \(K1 W2 b1 b2 b3\)"):
        load_model(npz_bytes({**net.params(), "W3": net.params()["W3"].astype(np.float32)}, meta))


def test_shifting_moves_pixels_and_fills_with_black():
    images = np.arange(2 * 28 * 28, dtype=np.uint16).reshape(2, 28, 28) % 250 + 1
    right = shift_images(images, 0, 3)
    assert np.all(right[:, :, :3] == 0) and np.array_equal(right[:, :, 3:], images[:, :, :-3])
    up = shift_images(images, -2, 0)
    assert np.all(up[:, -2:] == 0) and np.array_equal(up[:, :-2], images[:, 2:])
    assert np.array_equal(shift_images(images, 0, 0), images)
    assert not shift_images(images, 28, 0).any()


def test_accuracy_falls_as_digits_move_for_a_dense_network():
    network, _ = load_model(Path(__file__).resolve().parent.parent / "weights" / "fast.npz")
    images, labels = load_mnist("test")
    accuracies = accuracy_under_shift(network, images[:500], labels[:500], shifts=(0, 3, 6))
    assert accuracies[0] > 0.95 and accuracies[0] > accuracies[1] > accuracies[2]
