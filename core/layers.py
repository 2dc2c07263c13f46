"""The two layers of a dense network, each forward beside its backward: Dense and (inverted) Dropout."""
import numpy as np


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
