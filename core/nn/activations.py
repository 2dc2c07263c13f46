"""Hidden-layer activations, each beside its derivative: A = f(Z) and dA/dZ = f'(Z).

`ACTIVATIONS[name]` gives both, the weight initialisation that suits the activation, and where a unit rests.
"""
from typing import Callable, NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    forward: Callable    # A = f(Z)
    derivative: Callable  # f'(Z)
    init: str            # the initialisation that keeps the signal's variance steady through f
    rest: float | None = None  # f(z) for every z <= 0, where f'(z) = 0 too: a unit at rest on every image is
                               # "dead" (no gradient reaches its weights). None: f never goes flat, the unit cannot die


def relu(Z):
    """relu(z) = max(0, z)."""
    return np.maximum(Z, 0)


def relu_grad(Z):
    """relu'(z) = 1 if z > 0 else 0."""
    return (Z > 0).astype(Z.dtype)


def leaky_relu(Z):
    """leaky_relu(z) = z if z > 0 else 0.01 z: negative inputs still pass a little gradient."""
    return np.where(Z > 0, Z, LEAKY_SLOPE * Z)


def leaky_relu_grad(Z):
    """leaky_relu'(z) = 1 if z > 0 else 0.01."""
    return np.where(Z > 0, 1, LEAKY_SLOPE).astype(Z.dtype)


def sigmoid(Z):
    """sigmoid(z) = 1 / (1 + e^-z), computed as (1 + tanh(z/2)) / 2 so exp() cannot overflow."""
    return 0.5 * (1 + np.tanh(0.5 * Z))


def sigmoid_grad(Z):
    """sigmoid'(z) = s (1 - s) with s = sigmoid(z)."""
    s = sigmoid(Z)
    return s * (1 - s)


def tanh(Z):
    """tanh(z) = (e^z - e^-z) / (e^z + e^-z)."""
    return np.tanh(Z)


def tanh_grad(Z):
    """tanh'(z) = 1 - tanh(z)^2."""
    t = np.tanh(Z)
    return 1 - t * t


ACTIVATIONS = {
    "relu": Activation(relu, relu_grad, "he", rest=0.0),
    "leaky_relu": Activation(leaky_relu, leaky_relu_grad, "he"),
    "sigmoid": Activation(sigmoid, sigmoid_grad, "glorot"),
    "tanh": Activation(tanh, tanh_grad, "glorot"),
}
