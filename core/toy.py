"""Points of a plane in two classes, and a tiny network that learns them with the very code the digits use.

The data sets (TOY_DATASETS) return X (N, 2) float64 points and y (N,) int classes 0 and 1, the same for the
same seed. `one_neuron` is one dense neuron a = f(w1 x1 + w2 x2 + b); `learn` trains a 2 -> h -> 2 softmax
Network with the Trainer that trains MNIST, keeping the network and its gradients at a few moments.
"""
from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.layers import dense_forward
from core.nn.network import Network
from core.presets import TrainConfig
from core.training import Splits, Trainer

POINTS = 200      # points per data set, half of each class
LIMIT = 2.5       # the plane shown: -LIMIT <= x1, x2 <= LIMIT holds every point
STEPS = 300       # full-batch gradient steps of a training
LEARNING_RATE = 0.1  # Adam's step: in 300 steps, 4 tanh neurons learn XOR and two moons to 99 %
MOMENTS = (0, 1, 2, 5, 10, 20, 30, 50, 75, 100, 150, 200, 250, 300)  # steps after which the network is kept


def xor(n: int = POINTS, noise: float = 0.3, seed: int = 0) -> tuple:
    """Four noisy clusters at (±1, ±1): class 1 where the signs of x1 and x2 differ, x1 XOR x2."""
    rng = np.random.default_rng(seed)
    corners = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], float)  # two of class 0, then two of class 1
    which = np.arange(n) % 4                                          # n/4 points round each corner
    X = corners[which] + rng.normal(0, noise, (n, 2))                 # (N, 2)
    return X, (which >= 2).astype(int)


def two_moons(n: int = POINTS, noise: float = 0.15, seed: int = 0) -> tuple:
    """Two interleaved half circles of radius 1.2: class 0 arches up, class 1 down, shifted into its hollow."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, n)
    upper = np.column_stack([np.cos(angle) - 0.5, np.sin(angle) - 0.25])
    lower = np.column_stack([0.5 - np.cos(angle), 0.25 - np.sin(angle)])
    X = 1.2 * np.where(y[:, None] == 0, upper, lower) + rng.normal(0, noise, (n, 2))  # (N, 2)
    return X, y


class ToyDataset(NamedTuple):
    title: str
    make: Callable  # (n, noise, seed) -> X (N, 2), y (N,)
    shape: str      # what a learner sees in it


TOY_DATASETS = {
    "xor": ToyDataset("XOR", xor, "four clusters, class 1 in two opposite corners"),
    "moons": ToyDataset("Two moons", two_moons, "two interleaved half circles"),
}


def one_neuron(X, w1: float, w2: float, b: float, activation: str) -> tuple:
    """One dense neuron, the layer of core.nn.layers with W (2, 1): z = w1 x1 + w2 x2 + b and a = f(z).

    X (N, 2) -> z (N,), a (N,). The neuron says class 1 where z > 0: its line z = 0 splits the plane."""
    z = dense_forward(X, np.array([[w1], [w2]]), np.array([b]))[:, 0]   # (N,)
    return z, ACTIVATIONS[activation].forward(z)


def line_ends(w1: float, w2: float, b: float, limit: float = LIMIT):
    """Where the line w1 x1 + w2 x2 + b = 0 enters and leaves the square |x1|, |x2| <= limit: two points
    ((x1, x2), (x1, x2)), or None when it misses the square (or w1 = w2 = 0, and there is no line)."""
    hits = []
    for edge in (-limit, limit):
        if w2:
            hits.append((edge, -(w1 * edge + b) / w2))  # on the left and right edges: x2 = -(w1 x1 + b) / w2
        if w1:
            hits.append((-(w2 * edge + b) / w1, edge))  # on the bottom and top edges: x1 = -(w2 x2 + b) / w1
    inside = [p for p in hits if max(abs(p[0]), abs(p[1])) <= limit + 1e-9]
    if not inside:
        return None
    far = max(inside, key=lambda p: np.hypot(p[0] - inside[0][0], p[1] - inside[0][1]))
    return (inside[0], far) if far != inside[0] else None


def grid(limit: float = LIMIT, resolution: int = 81) -> tuple:
    """The plane as a grid of points: the axis values (R,) and every point (R * R, 2), row by row (x2 fixed)."""
    axis = np.linspace(-limit, limit, resolution)
    x1, x2 = np.meshgrid(axis, axis)
    return axis, np.column_stack([x1.ravel(), x2.ravel()])


@dataclass
class Moment:
    """The network after `step` steps, its loss and accuracy then, and the gradients the next step follows."""
    step: int
    network: Network
    loss: float
    accuracy: float
    gradients: dict  # {"W1": dW1 (2, h), "b1": (h,), "W2": (h, 2), "b2": (2,)}


@dataclass
class Lesson:
    """A training on a toy data set: the loss before every step and after the last, and the kept moments."""
    losses: np.ndarray  # (STEPS + 1,)
    moments: list


def moment(network: Network, X, y, step: int) -> Moment:
    """A copy of the network as it is now, with the loss and gradients of the whole data set."""
    loss, gradients = network.gradients(X, y)
    return Moment(step, network.copy(), loss, network.accuracy(X, y), gradients)


def learn(X, y, hidden: int, activation: str, seed: int = 0) -> Lesson:
    """Train a 2 -> hidden -> 2 softmax Network on all the points at once (full-batch Adam), as MNIST trains."""
    network = Network.create((hidden,), activation, seed=seed, dtype=np.float64, inputs=X.shape[1], classes=2)
    config = TrainConfig(dataset="toy", hidden=(hidden,), activation=activation, learning_rate=LEARNING_RATE,
                         batch_size=None, epochs=STEPS, val_size=0, seed=seed)
    trainer = Trainer(config, Splits(X, y, X[:0], y[:0]), network)
    losses, moments = [], [moment(network, X, y, 0)]
    for progress in trainer.run():
        if progress.kind == "step":
            losses.append(progress.batch_loss)            # the loss before this step: all the points are the batch
            if progress.step in MOMENTS:
                moments.append(moment(network, X, y, progress.step))
    return Lesson(np.array(losses + [moments[-1].loss]), moments)
