"""The two layers of a dense network, each forward beside its backward: Dense and (inverted) Dropout;
and the Dense and Activation layer objects that core.nn.cnn composes.
"""
import numpy as np

from core.nn.activations import ACTIVATIONS


def dense_forward(X, W, b):
    """Z = X W + b.  X (N, n_in), W (n_in, n_out), b (n_out,) -> Z (N, n_out)"""
    return X @ W + b


def dense_backward(dZ, X, W, need_dX: bool = True):
    """Given dL/dZ: dW = X^T dZ, db = sum_n dZ, dX = dZ W^T (skipped for the input layer)."""
    dW = X.T @ dZ                          # (n_in, n_out)
    db = dZ.sum(axis=0)                    # (n_out,)
    dX = dZ @ W.T if need_dX else None     # (N, n_in)
    return dX, dW, db


def dropout_mask(shape, rate: float, rng, dtype=np.float32):
    """Keep each unit with probability 1 - rate and scale kept ones by 1 / (1 - rate), so E[A] is unchanged."""
    mask = (rng.random(shape) >= rate).astype(dtype)
    mask /= 1 - rate
    return mask


def dropout_forward(A, mask):
    """A' = A * mask."""
    return A * mask


def dropout_backward(dA, mask):
    """dA = dA' * mask: dropped units pass no gradient."""
    return dA * mask


# The layer objects: the protocol of core.nn.cnn around the functions above.


class Dense:
    """Z = A W + b, the dense network's layer.  W (n_in, n_out), b (n_out,)"""

    def __init__(self, W, b):
        self.params = {"W": W, "b": b}

    def forward(self, A):
        return dense_forward(A, self.params["W"], self.params["b"]), A

    def backward(self, dZ, A, need_dX: bool = True):
        dA, dW, db = dense_backward(dZ, A, self.params["W"], need_dX)
        return dA, {"W": dW, "b": db}

    def output_shape(self, shape: tuple) -> tuple:
        return (self.params["W"].shape[1],)

    def describe(self) -> str:
        return f"dense {self.params['W'].shape[1]}"


class Activation:
    """A = f(Z) elementwise; backward dZ = dA * f'(Z)."""
    params: dict = {}

    def __init__(self, name: str):
        self.name = name

    def forward(self, Z):
        return ACTIVATIONS[self.name].forward(Z), Z

    def backward(self, dA, Z, need_dX: bool = True):
        return dA * ACTIVATIONS[self.name].derivative(Z), {}

    def output_shape(self, shape: tuple) -> tuple:
        return shape

    def describe(self) -> str:
        return self.name
