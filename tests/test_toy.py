"""Points of a plane: the toy data sets, one neuron and its line, and the tiny network that learns them."""
import numpy as np
import pytest

from core.nn.activations import ACTIVATIONS, sigmoid
from core.nn.gradcheck import gradient_check
from core.nn.network import Network
from core.toy import LIMIT, MOMENTS, POINTS, STEPS, TOY_DATASETS, grid, learn, line_ends, one_neuron, xor


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_a_toy_data_set_is_n_points_of_the_plane_half_in_each_class_the_same_for_the_same_seed(name):
    make = TOY_DATASETS[name].make
    X, y = make()
    assert X.shape == (POINTS, 2) and X.dtype == np.float64 and y.shape == (POINTS,) and y.dtype.kind == "i"
    assert np.bincount(y).tolist() == [POINTS // 2, POINTS // 2]
    assert np.abs(X).max() < LIMIT                                   # every point inside the plane shown
    again, other = make(seed=0), make(seed=1)
    assert np.array_equal(X, again[0]) and np.array_equal(y, again[1])
    assert not np.allclose(X, other[0])
    assert len(make(n=40)[0]) == 40


def test_xor_puts_class_1_where_the_signs_of_x1_and_x2_differ():
    X, y = xor(noise=0.3)
    differ = np.sign(X[:, 0]) != np.sign(X[:, 1])
    assert np.mean(differ == (y == 1)) > 0.98                       # noise 0.3 rarely carries a point across an axis
    X, y = xor(noise=0.0)
    assert np.array_equal(differ := np.sign(X[:, 0]) != np.sign(X[:, 1]), y == 1) and differ.sum() == POINTS // 2


def test_two_moons_are_half_circles_of_radius_1_2_class_0_arching_up_class_1_down_in_its_hollow():
    X, y = TOY_DATASETS["moons"].make(noise=0.0)
    up, down = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*(up - [-0.6, -0.3]).T), 1.2) and up[:, 1].min() >= -0.3 - 1e-12     # centre (-0.6, -0.3)
    assert np.allclose(np.hypot(*(down - [0.6, 0.3]).T), 1.2) and down[:, 1].max() <= 0.3 + 1e-12    # centre (0.6, 0.3)
    assert X[y == 0, 0].mean() < X[y == 1, 0].mean()                          # class 1 sits to the right, in the hollow


def test_one_neuron_is_a_weighted_sum_and_an_activation_worked_by_hand():
    X = np.array([[1.0, 2.0], [-1.0, 0.0]])
    z, a = one_neuron(X, 2.0, -1.0, 0.5, "sigmoid")
    assert np.allclose(z, [0.5, -1.5])                                # 2·1 − 1·2 + 0.5 and 2·(−1) − 0 + 0.5
    assert np.allclose(a, [1 / (1 + np.exp(-0.5)), 1 / (1 + np.exp(1.5))])
    assert np.allclose(one_neuron(X, 2.0, -1.0, 0.5, "relu")[1], [0.5, 0.0])
    assert np.allclose(a, sigmoid(z))


@pytest.mark.parametrize("w1, w2, b", [(1.0, -1.0, 0.0), (0.3, 2.0, -1.0), (2.0, 0.0, 1.0), (0.0, -1.5, 0.6),
                                       (1.0, 1.0, -4.9)])
def test_the_line_s_ends_lie_on_the_line_and_on_the_border_of_the_plane(w1, w2, b):
    (x1a, x2a), (x1b, x2b) = line_ends(w1, w2, b)
    for x1, x2 in ((x1a, x2a), (x1b, x2b)):
        assert w1 * x1 + w2 * x2 + b == pytest.approx(0, abs=1e-12)
        assert max(abs(x1), abs(x2)) == pytest.approx(LIMIT)
    assert np.hypot(x1a - x1b, x2a - x2b) > 0


def test_a_line_outside_the_plane_or_no_line_at_all_has_no_ends():
    assert line_ends(1.0, 0.0, -3.0) is None           # x1 = 3 lies right of the plane shown (|x1| <= 2.5)
    assert line_ends(0.0, 0.0, 1.0) is None            # w1 = w2 = 0: z = b everywhere, no line
    assert line_ends(1.0, 1.0, -5.0) is None           # touches only the corner (2.5, 2.5): no segment inside


def test_the_grid_runs_row_by_row_with_x2_fixed_in_a_row():
    axis, points = grid(2.0, 5)
    assert np.allclose(axis, [-2, -1, 0, 1, 2]) and points.shape == (25, 2)
    assert np.allclose(points[:5], np.column_stack([axis, np.full(5, -2.0)]))


def test_network_create_takes_any_number_of_inputs_and_classes_and_keeps_784_to_10_by_default():
    assert Network.create((3,), inputs=2, classes=2).sizes == [2, 3, 2]
    default = Network.create((16,), seed=4)
    assert default.sizes == [784, 16, 10]
    assert np.array_equal(default.weights[0], Network.create((16,), seed=4, inputs=784, classes=10).weights[0])


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_backprop_matches_central_differences_with_two_inputs(activation):
    X, y = xor(n=12, seed=3)
    net = Network.create((3,), activation, seed=1, dtype=np.float64, inputs=2, classes=2)
    for b in net.biases:                                               # non-zero biases, so theirs are tested too
        b += 0.1
    errors = gradient_check(net, X, y, entries=10)
    assert set(errors) == {"W1", "b1", "W2", "b2"} and max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("name, hidden, activation", [("xor", 4, "tanh"), ("moons", 4, "tanh"),
                                                      ("xor", 8, "relu"), ("moons", 8, "relu")])
def test_a_2_h_2_network_learns_xor_and_two_moons_to_97_percent(name, hidden, activation):
    X, y = TOY_DATASETS[name].make()
    lesson = learn(X, y, hidden, activation)
    first, last = lesson.moments[0], lesson.moments[-1]
    assert last.network.sizes == [2, hidden, 2] and last.step == STEPS
    assert last.accuracy >= 0.97 and last.network.accuracy(X, y) == last.accuracy
    assert first.accuracy < 0.9 and last.loss < first.loss / 5


def test_the_kept_moments_are_the_loop_s_own_losses_and_gradients():
    X, y = TOY_DATASETS["xor"].make()
    lesson = learn(X, y, 3, "sigmoid", seed=2)
    assert [m.step for m in lesson.moments] == list(MOMENTS) and lesson.losses.shape == (STEPS + 1,)
    for m in lesson.moments:
        assert m.loss == pytest.approx(lesson.losses[m.step], rel=1e-12)   # the loss the Trainer saw before step m + 1
        loss, gradients = m.network.gradients(X, y)
        assert all(np.array_equal(gradients[k], m.gradients[k]) for k in gradients)
    assert lesson.moments[0].network.weights[0].tolist() != lesson.moments[-1].network.weights[0].tolist()  # copies
    assert np.array_equal(learn(X, y, 3, "sigmoid", seed=2).losses, lesson.losses)                      # seeded
