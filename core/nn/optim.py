"""Gradient descent and its refinements, updating parameters in place, and learning-rate schedules."""
import math

import numpy as np


class SGD:
    """Plain gradient descent, W <- W - lr dW; with momentum v <- m v + dW, W <- W - lr v."""

    def __init__(self, momentum: float = 0.0):
        self.momentum, self.velocity = momentum, {}

    def step(self, params: dict, grads: dict, lr: float):
        for name, p in params.items():
            g = grads[name]
            if self.momentum:
                v = self.velocity.setdefault(name, np.zeros_like(p))
                v *= self.momentum
                v += g
                g = v
            p -= lr * g


class Adam:
    """Adam as Kingma & Ba (2015) write it in their Algorithm 1, step t = 1, 2, ...

    m <- b1 m + (1 - b1) g          running mean of the gradient
    v <- b2 v + (1 - b2) g^2        running mean of its square
    m^ = m / (1 - b1^t),  v^ = v / (1 - b2^t)    bias corrections (m and v start at 0)
    W <- W - lr m^ / (sqrt(v^) + eps)
    """

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m, self.v, self.scratch, self.t = {}, {}, {}, 0

    def step(self, params: dict, grads: dict, lr: float):
        self.t += 1
        m_correction = 1 - self.beta1 ** self.t
        v_correction = 1 - self.beta2 ** self.t
        for name, p in params.items():
            g = grads[name]
            m = self.m.setdefault(name, np.zeros_like(p))
            v = self.v.setdefault(name, np.zeros_like(p))
            tmp = self.scratch.setdefault(name, np.empty_like(p))  # reused: no new buffers on the hot path
            np.subtract(g, m, out=tmp)
            tmp *= 1 - self.beta1
            m += tmp                                  # m = b1 m + (1 - b1) g
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= 1 - self.beta2
            v += tmp                                  # v = b2 v + (1 - b2) g^2
            np.sqrt(v, out=tmp)
            tmp *= 1 / math.sqrt(v_correction)        # sqrt(v^) = sqrt(v / (1 - b2^t))
            tmp += self.eps
            np.divide(m, tmp, out=tmp)
            tmp *= lr / m_correction                  # lr m^ / (sqrt(v^) + eps), with m^ = m / (1 - b1^t)
            p -= tmp


OPTIMIZERS = {"sgd": lambda momentum: SGD(0.0), "momentum": lambda momentum: SGD(momentum),
              "adam": lambda momentum: Adam()}
OPTIMIZER_LABELS = {"sgd": "gradient descent (SGD)", "momentum": "SGD with momentum", "adam": "Adam"}
SCHEDULES = ("constant", "step", "cosine")


def scheduled_lr(base: float, schedule: str, epoch_progress: float, epochs: int,
                 step_every: int = 5, gamma: float = 0.5, floor: float = 0.01) -> float:
    """The learning rate after `epoch_progress` epochs (fractional) of `epochs` planned.

    constant: lr; step: lr * gamma^floor(epoch / step_every); cosine: from lr down to floor*lr,
    lr_t = lr (floor + (1 - floor)(1 + cos(pi t / T)) / 2).
    """
    if schedule == "constant":
        return base
    if schedule == "step":
        return base * gamma ** (int(epoch_progress) // step_every)
    if schedule == "cosine":
        t = min(epoch_progress / max(epochs, 1), 1.0)
        return base * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * t)))
    raise ValueError(f"unknown schedule {schedule!r}: choose from {SCHEDULES}")
