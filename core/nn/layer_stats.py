"""Layer statistics while training: how big each layer's weights are, how big their gradients, how far one step of
the optimiser moves them, and how many of its ReLU units have gone silent.

One number per weight layer (W of a dense layer, the kernels K of a convolution), normalised by its size so that a
big layer does not look bigger just for having more weights:

    RMS(W_l)   = ||W_l|| / sqrt(size(W_l))            the typical weight
    RMS(dW_l)  = ||dW_l|| / sqrt(size(dW_l))          the typical gradient of the last batch
    ratio_l    = ||W_l,after - W_l,before|| / ||W_l,before||   how far the optimiser's step moved the layer
    dead_l     = share of a hidden ReLU layer's units (neurons, or a convolution's filters) whose output is 0
                 for every example of the batch (and every position of a feature map)
"""
from dataclasses import dataclass

import numpy as np

from core.nn.layers import Activation
from core.nn.network import Network

STATISTICS = ("weight_rms", "grad_rms", "update_ratio", "dead_share")  # the fields of LayerStats, in chart order
SIGNIFICANT = 4  # digits kept in a model file


@dataclass
class LayerStats:
    """The statistics of one training step: each an array (float32) with one value per layer."""
    step: int
    epoch: float
    weight_rms: np.ndarray    # (L,) one per weight layer
    grad_rms: np.ndarray      # (L,)
    update_ratio: np.ndarray  # (L,)
    dead_share: np.ndarray    # (hidden ReLU layers,), empty for other activations


def weight_names(network) -> list:
    """The names of the weight layers, in order: W1, W2, ... (K1, K2, ... for convolutions)."""
    return [name for name in network.params() if not name.startswith("b")]


def rms(a) -> float:
    """Root mean square, RMS(a) = ||a|| / sqrt(size(a)) = sqrt(mean(a^2)): the typical size of one entry."""
    return float(np.sqrt(np.mean(np.square(a, dtype=np.float64))))


def update_ratio(before, after) -> float:
    """||after - before|| / ||before||: the step's length relative to the layer's (NaN for an all-zero layer)."""
    norm = np.linalg.norm(np.ravel(before).astype(np.float64))
    step = np.linalg.norm(np.ravel(after).astype(np.float64) - np.ravel(before))
    return float(step / norm) if norm else float("nan")


def dead_share(A) -> float:
    """The share of units (the last axis) that output nothing positive on the whole batch:
    dead = mean_j [ max over examples and positions of A[..., j] <= 0 ].   A: (N, H) or (N, h, w, F)."""
    alive = (np.reshape(A, (-1, np.shape(A)[-1])) > 0).any(axis=0)  # (units,)
    return float(1 - alive.mean())


def relu_outputs(network, fwd) -> list:
    """What each hidden ReLU layer passed on (pre-activations Z of a dense network: relu(Z) > 0 exactly where
    Z > 0, and Z is before dropout); [] for other activations."""
    if network.activation != "relu":
        return []
    if isinstance(network, Network):
        return fwd.Zs[:-1]
    return [fwd.As[i + 1] for i, layer in enumerate(network.layers) if isinstance(layer, Activation)]


def measure(network, fwd, grads: dict, before: list) -> dict:
    """The statistics of the step just taken: `fwd` its forward pass, `grads` the gradients the optimiser got,
    `before` copies of network.weight_arrays() from before the step. {statistic: (layers,) float32}."""
    after = network.weight_arrays()
    return {"weight_rms": np.float32([rms(W) for W in after]),
            "grad_rms": np.float32([rms(grads[name]) for name in weight_names(network)]),
            "update_ratio": np.float32([update_ratio(b, a) for b, a in zip(before, after)]),
            "dead_share": np.float32([dead_share(A) for A in relu_outputs(network, fwd)])}


def thinned(points: list, limit: int) -> list:
    """Every other point once there are more than `limit` (the caller then records half as often)."""
    return points[::2] if len(points) > limit else points


def stats_record(points: list, names: list) -> dict:
    """JSON-ready columns: {"layers": names, "step": [...], "epoch": [...], statistic: [[one per layer], ...]},
    SIGNIFICANT digits, NaN as None."""
    def rounded(v):
        return float(f"{v:.{SIGNIFICANT}g}") if np.isfinite(v) else None
    return {"layers": list(names), "step": [p.step for p in points], "epoch": [rounded(p.epoch) for p in points],
            **{s: [[rounded(v) for v in getattr(p, s)] for p in points] for s in STATISTICS}}


def stats_from_record(record: dict) -> list:
    """The LayerStats of a record made by stats_record; ValueError saying what is wrong if it is not one."""
    if not isinstance(record, dict) or not all(isinstance(record.get(k), list) for k in ("layers", "step", "epoch",
                                                                                        *STATISTICS)):
        raise ValueError(f"it needs the lists layers, step, epoch and {', '.join(STATISTICS)}")
    layers, n = len(record["layers"]), len(record["step"])
    if any(len(record[k]) != n for k in ("epoch", *STATISTICS)):
        raise ValueError("its lists must have one entry per recorded step")
    try:
        columns = {s: [np.float32([np.nan if v is None else v for v in row]) for row in record[s]] for s in STATISTICS}
        steps, epochs = [int(s) for s in record["step"]], [float(e) for e in record["epoch"]]
    except (TypeError, ValueError):
        raise ValueError("its entries must be numbers") from None
    if any(len(row) != layers for s in STATISTICS[:3] for row in columns[s]) or \
            any(len(row) >= layers for row in columns["dead_share"]):
        raise ValueError(f"each step needs one value per layer ({layers}), and a dead share per hidden layer")
    return [LayerStats(steps[i], epochs[i], *(columns[s][i] for s in STATISTICS)) for i in range(n)]
