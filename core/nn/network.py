"""A fully connected network in raw NumPy: forward pass, loss, and backpropagation.

Batch-first notation (see DESIGN.md): X (N, 784) for the digits (any number of inputs works: (N, 2) for points
of a plane), W_l (n_in, n_out), b_l (n_out,), Z_l = A_{l-1} W_l + b_l, A_l = f(Z_l), and the output
P = softmax(Z_L) or sigmoid(Z_L).
"""
import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.layers import dense_backward, dense_forward, dropout_backward, dropout_forward, dropout_mask
from core.nn.losses import OUTPUTS
from core.nn.shapes import CLASSES, INPUTS



def init_weights(n_in: int, n_out: int, scheme: str, rng, dtype) -> np.ndarray:
    """He: N(0, 2/n_in) for ReLU; Glorot: U(±sqrt(6/(n_in+n_out))) for sigmoid/tanh; LeCun: N(0, 1/n_in)."""
    if scheme == "he":
        W = rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))
    elif scheme == "glorot":
        limit = np.sqrt(6 / (n_in + n_out))
        W = rng.uniform(-limit, limit, (n_in, n_out))
    elif scheme == "lecun":
        W = rng.normal(0, np.sqrt(1 / n_in), (n_in, n_out))
    else:
        raise ValueError(f"unknown initialisation {scheme!r}: use 'he', 'glorot' or 'lecun'")
    return W.astype(dtype)


def check_names(activation: str, output: str):
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: choose from {sorted(ACTIVATIONS)}")
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}: choose from {sorted(OUTPUTS)}")


@dataclass
class Forward:
    """Everything the forward pass computed: Zs[l] and As[l] per layer (As[0] is X), dropout masks."""
    Zs: list
    As: list
    masks: list = field(default_factory=list)

    @property
    def P(self):
        return self.As[-1]

    @property
    def logits(self):
        """Z_L (N, 10), the last layer's scores before softmax."""
        return self.Zs[-1]


class Classifier(ABC):
    """The contract every network here keeps (the dense Network and the ConvNet), and what follows from it.

    A network names its hidden `activation` and its `output` (which fixes the loss), and provides forward()
    (a pass whose result has P, the probabilities (N, 10), and logits), backward() (the gradient of every
    parameter, named as params() names them), params(), weight_arrays() (the arrays L2 shrinks), copy(),
    dtype and architecture. Predicting, the loss, and the gradients of a batch are the same for all.
    """
    activation: str
    output: str

    @abstractmethod
    def forward(self, X, dropout: float = 0.0, rng=None, masks=None):
        """X (N, 784) -> everything the pass computed, with .P (N, 10) and .logits (N, 10)."""

    @abstractmethod
    def backward(self, fwd, dZ, l2: float = 0.0, need_dX: bool = False, deltas: dict | None = None):
        """dL/dZ of the logits (N, 10) -> {name: gradient} (and dL/dX (N, 784) if need_dX)."""

    @abstractmethod
    def params(self) -> dict:
        """The parameters by name, the arrays themselves (updates are in place)."""

    @abstractmethod
    def weight_arrays(self) -> list:
        """The weights L2 regularisation shrinks (not the biases)."""

    @abstractmethod
    def copy(self, dtype=None) -> "Classifier":
        """An independent copy, optionally in another dtype."""

    def digest(self) -> str:
        """A fingerprint of the weights (SHA-256 of every parameter): caches key on it, since a session's model and
        its taught or edited copies share a name, not weights."""
        h = hashlib.sha256()
        for p in self.params().values():
            h.update(p.tobytes())
        return h.hexdigest()

    def objective(self, P, y, l2: float = 0.0) -> float:
        """What training lowers: the output's loss of P (N, 10) against labels y (N,), plus (l2/2) sum ||W||^2."""
        return OUTPUTS[self.output].loss(P, y) + self.l2_penalty(l2)

    def loss(self, X, y, l2: float = 0.0) -> float:
        """The objective of a batch X (N, 784)."""
        return self.objective(self.forward(X).P, y, l2)

    def l2_penalty(self, l2: float) -> float:
        return 0.5 * l2 * sum(float(np.sum(W * W)) for W in self.weight_arrays()) if l2 else 0.0

    def gradients(self, X, y, l2: float = 0.0, dropout: float = 0.0, rng=None, masks=None) -> tuple:
        """Loss and gradient of every parameter for a batch (one image is a batch of 1): (loss, {"W1": dW1, ...})."""
        fwd = self.forward(X, dropout, rng, masks)
        return self.objective(fwd.P, y, l2), self.backward(fwd, OUTPUTS[self.output].delta(fwd.P, y), l2)

    def input_gradient(self, X, label: int):
        """Saliency: d z_label / dX, how each pixel would move the score (logit) of one class.  (N, 784)"""
        fwd = self.forward(X)
        dZ = np.zeros_like(fwd.P)  # (N, 10), like the logits
        dZ[:, label] = 1
        return self.backward(fwd, dZ, need_dX=True)[1]

    PREDICT_BATCH = 10000  # images per forward pass when predicting many

    def predict_proba(self, X):
        """Class probabilities (N, 10), in chunks so a large X does not need one huge buffer."""
        batch = self.PREDICT_BATCH
        return np.concatenate([self.forward(X[i:i + batch]).P for i in range(0, len(X), batch)])

    def predict(self, X):
        """The most probable digit for each row of X.  (N,)"""
        return self.predict_proba(X).argmax(axis=1)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.predict(X) == y))


@dataclass
class Network(Classifier):
    """Weights and biases of each layer, the hidden activation, and the output (which fixes the loss)."""
    weights: list
    biases: list
    activation: str = "relu"
    output: str = "softmax"

    def __post_init__(self):
        check_names(self.activation, self.output)

    @classmethod
    def create(cls, hidden=(128,), activation="relu", output="softmax", init=None, seed=0, dtype=np.float32,
               inputs: int = INPUTS, classes: int = CLASSES):
        """A new network inputs -> hidden... -> classes (784 -> ... -> 10 for the digits; 2 -> ... -> 2 for points
        of the plane) with random weights (the scheme that fits the activation) and zero biases."""
        check_names(activation, output)
        sizes = [inputs, *hidden, classes]
        if any(int(s) < 1 for s in hidden):
            raise ValueError("every hidden layer needs at least one neuron")
        rng = np.random.default_rng(seed)
        scheme = init or ACTIVATIONS[activation].init
        weights = [init_weights(a, b, scheme, rng, dtype) for a, b in zip(sizes[:-1], sizes[1:])]
        biases = [np.zeros(b, dtype) for b in sizes[1:]]
        return cls(weights, biases, activation, output)

    @property
    def sizes(self) -> list:
        return [self.weights[0].shape[0]] + [W.shape[1] for W in self.weights]

    @property
    def dtype(self):
        return self.weights[0].dtype

    @property
    def architecture(self) -> str:
        return " → ".join(map(str, self.sizes))

    def params(self) -> dict:
        """The parameters by name, W1, b1, W2, ... (the arrays themselves, so updates are in place)."""
        named = {}
        for l, (W, b) in enumerate(zip(self.weights, self.biases), start=1):
            named[f"W{l}"], named[f"b{l}"] = W, b
        return named

    def copy(self, dtype=None) -> "Network":
        """An independent copy, optionally in another dtype (float64 for gradient checks)."""
        dtype = dtype or self.dtype
        return Network([W.astype(dtype, copy=True) for W in self.weights],
                       [b.astype(dtype, copy=True) for b in self.biases], self.activation, self.output)

    def forward(self, X, dropout: float = 0.0, rng=None, masks=None) -> Forward:
        """Run X (N, 784) through every layer, keeping each Z and A; dropout applies to hidden layers only."""
        f = ACTIVATIONS[self.activation].forward
        A, Zs, As, used = X.astype(self.dtype, copy=False), [], [X], []
        last = len(self.weights) - 1
        for l, (W, b) in enumerate(zip(self.weights, self.biases)):
            Z = dense_forward(A, W, b)                                   # (N, n_out)
            A = OUTPUTS[self.output].activate(Z) if l == last else f(Z)
            if l < last and (dropout > 0 or masks):
                mask = masks[l] if masks else dropout_mask(A.shape, dropout, rng, self.dtype)
                A = dropout_forward(A, mask)
                used.append(mask)
            Zs.append(Z)
            As.append(A)
        return Forward(Zs, As, used)

    def backward(self, fwd: Forward, dZ, l2: float = 0.0, need_dX: bool = False, deltas: dict | None = None):
        """Backpropagate dL/dZ of the last layer: returns the gradient of every parameter, and dL/dX if asked.

        Pass a dict as `deltas` to also receive every layer's dZ ("dZ1", ..., for the explainer).
        """
        grad = ACTIVATIONS[self.activation].derivative
        grads = {}
        for l in range(len(self.weights) - 1, -1, -1):
            if deltas is not None:
                deltas[f"dZ{l + 1}"] = dZ
            W = self.weights[l]
            dA, dW, db = dense_backward(dZ, fwd.As[l], W, need_dX=l > 0 or need_dX)  # dA: (N, n_in)
            grads[f"W{l + 1}"] = dW + l2 * W if l2 else dW  # d/dW of (l2/2)||W||^2 is l2 W
            grads[f"b{l + 1}"] = db
            if l > 0:
                if fwd.masks:
                    dA = dropout_backward(dA, fwd.masks[l - 1])
                dZ = dA * grad(fwd.Zs[l - 1])  # dZ = dA * f'(Z), (N, n_in)
        return (grads, dA) if need_dX else grads

    def weight_arrays(self) -> list:
        return self.weights
