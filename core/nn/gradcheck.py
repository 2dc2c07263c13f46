"""Check backpropagation against the definition of a derivative: nudge one weight by ±eps and watch the loss.

dL/dw ~ (L(w + eps) - L(w - eps)) / (2 eps), the central difference, accurate to O(eps^2).
"""
import numpy as np

from core.nn.network import Classifier


def batch_loss(network: Classifier, X, y, l2: float = 0.0, masks=None) -> float:
    """The training loss for a batch, with dropout masks fixed so it is a deterministic function of the weights."""
    P = network.forward(X, masks=masks).P
    return network.objective(P, y, l2)


def nudge(network: Classifier, name: str, index: tuple, X, y, eps: float = 1e-5, l2: float = 0.0, masks=None) -> dict:
    """Losses at w - eps and w + eps for one parameter entry, and the central-difference slope between them."""
    p = network.params()[name]
    original = p[index]
    p[index] = original + eps
    plus = batch_loss(network, X, y, l2, masks)
    p[index] = original - eps
    minus = batch_loss(network, X, y, l2, masks)
    p[index] = original
    return {"loss_plus": plus, "loss_minus": minus, "slope": (plus - minus) / (2 * eps)}


def relative_error(a, b) -> float:
    """|a - b| / max(|a| + |b|, tiny): about 1e-7 or less when backprop is right in float64."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def gradient_check(network: Classifier, X, y, l2: float = 0.0, masks=None, eps: float = 1e-5,
                   entries: int = 20, seed: int = 0) -> dict:
    """Relative error between backprop and central differences, per parameter, on a float64 copy.

    Checks `entries` random entries of each parameter (all of them when it has fewer).
    """
    net = network.copy(np.float64)
    X = np.asarray(X, np.float64)
    masks = [np.asarray(m, np.float64) for m in masks] if masks else None
    _, grads = net.gradients(X, y, l2, masks=masks)
    rng = np.random.default_rng(seed)
    errors = {}
    for name, p in net.params().items():
        flat = rng.choice(p.size, min(entries, p.size), replace=False)
        picked = [np.unravel_index(i, p.shape) for i in flat]
        numeric = [nudge(net, name, idx, X, y, eps, l2, masks)["slope"] for idx in picked]
        errors[name] = relative_error(numeric, [grads[name][idx] for idx in picked])
    return errors
