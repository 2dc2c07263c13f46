"""Everything the explainer shows for one image, computed by the same functions that train the network."""
from dataclasses import dataclass

import numpy as np

from core.losses import OUTPUTS
from core.network import Network
from core.optim import SGD

UNSURE = 100  # the "unsure" digits: this many test digits with the lowest top probability


@dataclass
class Walkthrough:
    """Forward and backward for one image (a batch of N = 1): Zs/As per layer, dZs, and every gradient."""
    fwd: object      # core.network.Forward: Zs[l], As[l] (As[0] is the input)
    loss: float
    deltas: dict     # "dZ1".. "dZL": dL/dZ of each layer, (1, n_l)
    grads: dict      # "W1", "b1", ...: dL/dparameter, the shapes of the parameters


def walkthrough(network: Network, x, label: int) -> Walkthrough:
    """Forward pass, loss for `label`, and backpropagation for one image x (784,), keeping every step."""
    X, y = np.asarray(x, network.dtype).reshape(1, -1), np.array([label])
    fwd = network.forward(X)
    out = OUTPUTS[network.output]
    deltas = {}
    grads = network.backward(fwd, out.delta(fwd.P, y), deltas=deltas)
    return Walkthrough(fwd, out.loss(fwd.P, y), deltas, grads)


def gradient_step(network: Network, X, y, learning_rate: float, steps: int = 1) -> Network:
    """A copy of `network` after `steps` plain gradient-descent steps on (X, y): W <- W - lr dW. The original is untouched."""
    stepped = network.copy()
    optimizer = SGD()
    X, y = np.asarray(X, stepped.dtype).reshape(len(np.atleast_1d(y)), -1), np.atleast_1d(y)
    for _ in range(steps):
        optimizer.step(stepped.params(), stepped.gradients(X, y)[1], learning_rate)
    return stepped


def candidate_digits(P, labels, kind: str) -> np.ndarray:
    """Indices of the test digits of one kind, from a model's probabilities P (N, 10) and the labels (N,).

    "wrong": the most probable digit is not the label (the unsure ones if there are none); "unsure": the UNSURE
    digits whose top probability is lowest; "random": all of them."""
    if kind == "wrong" and np.any(P.argmax(axis=1) != labels):
        return np.flatnonzero(P.argmax(axis=1) != labels)
    if kind in ("wrong", "unsure"):
        return np.argsort(P.max(axis=1), kind="stable")[:UNSURE]
    return np.arange(len(labels))
