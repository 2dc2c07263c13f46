"""Output layers with their losses: softmax + cross-entropy, and sigmoid + mean squared error.

Each output gives the probabilities from the logits Z (N, 10), the mean loss against integer labels
y (N,), and dL/dZ, the error signal that backpropagation starts from.
"""
from typing import Callable, NamedTuple

import numpy as np

from core.nn.activations import sigmoid
from core.nn.shapes import CLASSES



def one_hot(y, classes: int = CLASSES, dtype=np.float32):
    """Y[n, k] = 1 if y[n] == k else 0.  (N,) -> (N, 10)"""
    Y = np.zeros((len(y), classes), dtype=dtype)
    Y[np.arange(len(y)), y] = 1
    return Y


def softmax_steps(z, temperature: float = 1.0) -> dict:
    """Softmax with a temperature for one vector of logits, one step at a time, for showing.

    p = softmax(z / T): p_k = e^(z_k/T - m) / sum_j e^(z_j/T - m), m = max_j z_j/T.  z (10,) -> each step (10,).
    T = 1 is what the network uses; a larger T flattens p, a smaller one sharpens it towards the argmax.
    """
    scaled = np.asarray(z, dtype=np.float64) / temperature
    shifted = scaled - scaled.max()  # subtract the max so exp() cannot overflow; p is unchanged
    exp = np.exp(shifted)
    return {"scaled": scaled, "shifted": shifted, "exp": exp, "sum": exp.sum(), "p": exp / exp.sum()}


def softmax(Z):
    """p_k = e^(z_k - max z) / sum_j e^(z_j - max z), row by row.  (N, 10) -> (N, 10)"""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # the row max keeps exp() from overflowing
    return E / E.sum(axis=1, keepdims=True)


def cross_entropy(P, y):
    """L = -(1/N) sum_n log p[n, y_n]; probabilities are clipped so log(0) cannot give infinity."""
    picked = P[np.arange(len(y)), y]
    return float(-np.mean(np.log(np.maximum(picked, np.finfo(P.dtype).tiny))))


def cross_entropy_delta(P, y):
    """With softmax, dL/dZ = (P - Y) / N: the predicted minus the true distribution."""
    return (P - one_hot(y, P.shape[1], P.dtype)) / len(y)


def mean_squared_error(A, y):
    """L = (1/N) sum_n 1/2 ||a_n - y_n||^2, the quadratic cost of Nielsen's book."""
    return float(0.5 * np.sum((A - one_hot(y, A.shape[1], A.dtype)) ** 2) / len(y))


def mean_squared_error_delta(A, y):
    """With sigmoid outputs, dL/dZ = (A - Y) * A (1 - A) / N."""
    return (A - one_hot(y, A.shape[1], A.dtype)) * A * (1 - A) / len(y)


class Output(NamedTuple):
    activate: Callable  # probabilities from logits
    loss: Callable      # mean loss from probabilities and labels
    delta: Callable     # dL/dZ from probabilities and labels
    label: str


OUTPUTS = {
    "softmax": Output(softmax, cross_entropy, cross_entropy_delta, "softmax + cross-entropy"),
    "sigmoid": Output(sigmoid, mean_squared_error, mean_squared_error_delta, "sigmoid + mean squared error"),
}
