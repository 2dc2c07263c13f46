"""Each optimiser and schedule over several steps, against the textbook formulas worked out with plain floats."""
import math

import numpy as np
import pytest

from core.nn.optim import SGD, Adam, scheduled_lr

GRADIENTS = [2.0, -1.0, 0.5, 3.0, 1e-9]  # the last is tiny: there eps decides Adam's step


def run(optimizer, lr=0.1, start=1.0):
    """One weight through every gradient above; the weight after each step."""
    p, seen = {"w": np.array([start])}, []
    for g in GRADIENTS:
        optimizer.step(p, {"w": np.array([g])}, lr)
        seen.append(float(p["w"][0]))
    return seen


def test_plain_gradient_descent_steps_against_the_gradient():
    w, expected = 1.0, []
    for g in GRADIENTS:
        w -= 0.1 * g  # W <- W - lr dW
        expected.append(w)
    assert run(SGD()) == pytest.approx(expected, rel=1e-12)


def test_momentum_accumulates_a_velocity():
    w, v, expected = 1.0, 0.0, []
    for g in GRADIENTS:
        v = 0.5 * v + g  # v <- m v + dW
        w -= 0.1 * v     # W <- W - lr v
        expected.append(w)
    assert run(SGD(momentum=0.5)) == pytest.approx(expected, rel=1e-12)


def textbook_adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    """Kingma & Ba (2015), Algorithm 1, written out in floats."""
    w, m, v, expected = 1.0, 0.0, 0.0, []
    for t, g in enumerate(GRADIENTS, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w -= lr * m_hat / (math.sqrt(v_hat) + eps)
        expected.append(w)
    return expected


def test_adam_follows_the_textbook_step_by_step():
    assert run(Adam(), lr=0.01) == pytest.approx(textbook_adam(0.01), rel=1e-12, abs=0)


def test_adams_eps_is_the_textbooks_even_for_tiny_gradients():
    """With g = 1e-9 the steps hinge on eps: eps folded into the step size would be 31.6x larger at step 1."""
    p = {"w": np.array([0.0])}
    Adam().step(p, {"w": np.array([1e-9])}, lr=1.0)
    # m^ = 1e-9, v^ = 1e-18, so the step is 1e-9 / (1e-9 + 1e-8) = 1/11
    assert p["w"][0] == pytest.approx(-1 / 11, rel=1e-9)


def test_adam_keeps_separate_moments_per_parameter():
    p = {"a": np.array([1.0]), "b": np.array([1.0])}
    adam = Adam()
    for g in GRADIENTS:
        adam.step(p, {"a": np.array([g]), "b": np.array([-g])}, 0.01)
    assert p["a"][0] == pytest.approx(textbook_adam(0.01)[-1], rel=1e-12)
    assert p["b"][0] == pytest.approx(2 - textbook_adam(0.01)[-1], rel=1e-12)  # mirror image around 1
    assert adam.t == len(GRADIENTS)


@pytest.mark.parametrize("epoch, expected", [(0, 0.1), (2.9, 0.1), (3, 0.05), (5.99, 0.05), (6, 0.025), (9.5, 0.0125)])
def test_the_step_schedule_halves_every_few_epochs(epoch, expected):
    assert scheduled_lr(0.1, "step", epoch, 12, step_every=3) == pytest.approx(expected)


@pytest.mark.parametrize("epoch", [0, 0.25, 1, 2.5, 3.75, 5])
def test_the_cosine_schedule_follows_half_a_cosine_to_its_floor(epoch):
    # lr_t = lr (floor + (1 - floor)(1 + cos(pi t / T)) / 2), T = 5 epochs, floor = 1 %
    assert scheduled_lr(0.2, "cosine", epoch, 5) == pytest.approx(
        0.2 * (0.01 + 0.99 * (1 + math.cos(math.pi * epoch / 5)) / 2), rel=1e-12)
    assert scheduled_lr(0.2, "cosine", 7, 5) == pytest.approx(0.002)  # stays at the floor past the end


def test_schedules_keep_a_constant_rate_and_refuse_unknown_names():
    assert scheduled_lr(0.1, "constant", 7.5, 10) == 0.1
    with pytest.raises(ValueError, match="unknown schedule"):
        scheduled_lr(0.1, "warmup", 0, 1)
