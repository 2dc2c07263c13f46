"""Everything the explainer shows for one image, computed by the same functions that train the network."""
from dataclasses import dataclass

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.losses import OUTPUTS
from core.nn.network import Classifier, Network
from core.nn.optim import SGD

UNSURE = 100  # the "unsure" digits: this many test digits with the lowest top probability
SHOWN = 12    # test images shown for one neuron: the ones that excite it most, and the ones that silence it


@dataclass
class Walkthrough:
    """Forward and backward for one image (a batch of N = 1): Zs/As per layer, dZs, and every gradient."""
    fwd: object      # core.nn.network.Forward: Zs[l], As[l] (As[0] is the input)
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


def gradient_step(network: Classifier, X, y, learning_rate: float, steps: int = 1) -> Classifier:
    """A copy of `network` after `steps` plain gradient-descent steps on (X, y): W <- W - lr dW. The original is untouched."""
    stepped = network.copy()
    optimizer = SGD()
    X, y = np.asarray(X, stepped.dtype).reshape(len(np.atleast_1d(y)), -1), np.atleast_1d(y)
    for _ in range(steps):
        optimizer.step(stepped.params(), stepped.gradients(X, y)[1], learning_rate)
    return stepped


def integrated_gradients(network, x, label: int, steps: int = 32):
    """Saliency that follows the strokes: how much each pixel's ink added to the score z_label (integrated gradients).

    Walk from a black image x' = 0 to the drawing x and average the slope of z_label along the way:
        IG_i = x_i * (1/S) sum_{s=1..S} dz_label/dx_i at ((s - 1/2) / S) x
    The shares add up to z_label(x) - z_label(0) (exactly as S grows), and a pixel without ink gets 0.
    With S = 1 and the slope taken at x itself it would be gradient x input.  x (784,) -> (784,).
    """
    x = np.asarray(x, network.dtype).reshape(-1)
    alphas = (np.arange(steps) + 0.5) / steps               # midpoints of S equal steps from black to x
    path = alphas[:, None].astype(x.dtype) * x              # (S, 784)
    slopes = network.input_gradient(path, label)            # (S, 784): dz_label/dx at each point of the path
    return x * slopes.mean(axis=0)                          # (784,)


def class_means(A, y) -> tuple:
    """Each neuron's mean activation on the images of each class: m[c, k] = mean of A[n, k] over n with y_n = c.

    A (N, H), y (N,) -> (the classes present (C,), m (C, H)).
    """
    classes = np.unique(y)
    return classes, np.stack([A[y == c].mean(axis=0) for c in classes])


def neuron_selectivity(A, y) -> tuple:
    """Which digit each neuron prefers and how clearly: (favourite digit (H,), selectivity (H,)).

    m[c, k] = mean of A[:, k] over the images of digit c; favourite_k = argmax_c m[c, k];
    selectivity_k = (m[favourite, k] - mean of m[c, k] over the other nine digits) / std_n A[n, k],
    how many standard deviations its favourite digit stands out (0 for a neuron that never changes).
    A (N, H) activations on labelled images, y (N,) their labels.
    """
    digits, m = class_means(A, y)                                   # (10,), (10, H)
    favourite = m.argmax(axis=0)                                    # (H,)
    top = m.max(axis=0)
    others = (m.sum(axis=0) - top) / (len(digits) - 1)
    spread = A.std(axis=0)
    selectivity = np.divide(top - others, spread, out=np.zeros_like(top, dtype=float), where=spread > 0)
    return digits[favourite], selectivity


def neuron_usage(A, W_next):
    """How much the next layer hears from each neuron: u_k = mean_n |A[n, k]| * ||W_next[k, :]||.

    A (N, H) activations, W_next (H, n_next) the weights leaving them -> (H,).
    """
    return np.abs(A).mean(axis=0) * np.linalg.norm(W_next, axis=1)


def dead_neurons(A, activation: str):
    """Which units never fire on these images (H,) booleans, or None if the activation cannot die.

    dead_k = (A[n, k] = rest for every n), with rest the flat value of f for z <= 0, where f'(z) = 0 (ReLU: 0).
    No image moves a dead unit and no gradient reaches its incoming weights, so training on these images cannot
    revive it. Sigmoid, tanh and leaky ReLU never go flat (ACTIVATIONS[name].rest is None). A (N, H) one layer.
    """
    rest = ACTIVATIONS[activation].rest
    return None if rest is None else (A <= rest).all(axis=0)


@dataclass
class Neuron:
    """One neuron in numbers, on labelled images (made by describe_neuron)."""
    a: np.ndarray              # (N,) its output on each image
    exciting: np.ndarray       # (SHOWN,) image indices, the highest activation first
    silencing: np.ndarray      # (SHOWN,) image indices, the lowest pre-activation z (so the lowest activation) first
    favourite: int             # the class with the highest mean activation
    selectivity: float         # how many standard deviations its favourite stands out (as neuron_selectivity)
    quietest: int              # the class with the lowest mean activation
    votes_for: np.ndarray      # the outputs it raises by at least half its largest raise, strongest first
    votes_against: np.ndarray  # the outputs it lowers by at least half its largest drop, strongest first
    rest: float | None         # the flat value of its activation for z <= 0 (ReLU: 0); None if it has none
    at_rest: float | None      # the share of images that leave it at rest; None if it cannot rest
    dead: bool                 # at rest on every image


def describe_neuron(z, y, votes, activation: str | None) -> Neuron:
    """One neuron in numbers: the images that excite it and silence it, the class it prefers, what it votes for.

    a = f(z); exciting: the SHOWN images of highest z (so highest a); silencing: the lowest z (ties at ReLU's 0
    broken by how far below 0 z goes); favourite = argmax_c m_c, quietest = argmin_c m_c, m_c = mean a over class c;
    at_rest = mean_n [a_n = rest]. z (N,) its pre-activation on each image, y (N,) their labels, votes (10,) how
    much it raises each output; activation: a name of ACTIVATIONS, or None for an output unit (a = z).
    """
    a = ACTIVATIONS[activation].forward(z) if activation else z
    rest = ACTIVATIONS[activation].rest if activation else None
    classes, m = class_means(a[:, None], y)
    favourite, selectivity = neuron_selectivity(a[:, None], y)
    at_rest = None if rest is None else float(np.mean(a <= rest))
    exciting, silencing = np.argsort(-z, kind="stable")[:SHOWN], np.argsort(z, kind="stable")[:SHOWN]
    return Neuron(a, exciting, silencing, int(favourite[0]), float(selectivity[0]), int(classes[m[:, 0].argmin()]),
                  strongest(votes), strongest(-votes), rest, at_rest, at_rest == 1.0)


def strongest(votes, most: int = 3) -> np.ndarray:
    """The outputs with a positive vote at least half the largest, strongest first, at most `most`.

    j is chosen if v_j > 0 and v_j >= max(v) / 2.  votes (10,) -> indices, strongest first."""
    order = np.argsort(-votes, kind="stable")[:most]
    return order[(votes[order] > 0) & (votes[order] >= votes.max() / 2)]


def candidate_digits(predicted, confidence, labels, kind: str) -> np.ndarray:
    """Indices of the test digits of one kind, from a model's answers: the digit it picks (N,), the probability it
    gives that digit (N,), and the labels (N,).

    "wrong": the picked digit is not the label (the unsure ones if there are none); "unsure": the UNSURE
    digits whose top probability is lowest; "random": all of them."""
    if kind == "wrong" and np.any(predicted != labels):
        return np.flatnonzero(predicted != labels)
    if kind in ("wrong", "unsure"):
        return np.argsort(confidence, kind="stable")[:UNSURE]
    return np.arange(len(labels))


@dataclass
class Contributions:
    """One image through the network, layer by layer: what each unit holds and what each connection carried.

    Layer 0 is the input, layer L the output. values[l] (n_l,) holds a_l: a pixel, an activation, a feature map's
    mean, and for the output the probabilities P. For l = 1..L, at index l - 1: C (n_{l-1}, n_l), what unit i of
    layer l-1 added to unit j of layer l; z (n_l,) = sum_i C[i, j] + b[j]; b (n_l,) the biases.
    """
    kinds: list      # what each layer's units are: "pixel", "neuron", "map", "output"
    values: list     # a_0 .. a_L
    C: list          # C_1 .. C_L
    z: list          # z_1 .. z_L
    b: list          # b_1 .. b_L


def contributions(network, x) -> Contributions:
    """What every connection carried for one image x (784,): C_l[i, j] = a_{l-1,i} W_l[i, j], so that
    z_l = sum_i C_l[i, :] + b_l. For a convolutional network a unit is a feature map: its value is the mean of the
    map it passes on (after the activation and pooling), and C[c, f] is what input map c added to map f's
    pre-activation on average over its positions, sum_{u,v} mean patch[u, v, c] K[u, v, c, f]; a map's parts
    into a dense neuron are summed over the map's positions."""
    x = np.asarray(x, network.dtype).reshape(1, -1)
    if isinstance(network, ConvNet):
        return map_contributions(network, x)
    fwd = network.forward(x)
    values = [A[0] for A in fwd.As]                                          # a_0 = x, ..., a_L = P
    C = [values[l][:, None] * W for l, W in enumerate(network.weights)]     # (n_{l-1}, n_l)
    kinds = ["pixel"] + ["neuron"] * (len(network.weights) - 1) + ["output"]
    return Contributions(kinds, values, C, [Z[0] for Z in fwd.Zs], list(network.biases))


def map_contributions(network, x) -> Contributions:
    """contributions() for core.nn.cnn.ConvNet: feature maps as units, then the dense layers' neurons."""
    fwd = network.forward(x)
    kinds, values, C, z, b = ["map"], [fwd.As[0][0].mean(axis=(0, 1))], [], [], []   # the image: one map
    for i, layer in enumerate(network.layers):
        if "K" in layer.params:                                   # a convolution: (cols, shape) in its cache
            K, (cols, _) = layer.params["K"], fwd.caches[i]       # K (k, k, C, F), cols (Ho*Wo, k*k*C)
            mean_patch = cols.mean(axis=0).reshape(K.shape[:3])   # (k, k, C): the average patch it read
            C.append(np.einsum("uvc,uvcf->cf", mean_patch, K))    # (C, F)
            z.append(fwd.As[i + 1][0].mean(axis=(0, 1)))          # (F,): each map's mean pre-activation
            kinds.append("map")
        elif "W" in layer.params:
            W, a = layer.params["W"], fwd.As[i][0]                # a: the flat input (n_in,)
            parts = a[:, None] * W                                # (n_in, n_out)
            channels = len(values[-1])
            C.append(parts.reshape(-1, channels, W.shape[1]).sum(axis=0) if kinds[-1] == "map" else parts)
            z.append(fwd.As[i + 1][0])
            kinds.append("neuron")
        else:
            continue
        b.append(layer.params["b"])
        if kinds[-1] == "map":                                    # what passes on: the map after activation + pool
            values.append(fwd.As[i + 3][0].mean(axis=(0, 1)))
        else:
            values.append(fwd.As[i + 2][0] if i + 1 < len(network.layers) else fwd.P[0])
    kinds[-1] = "output"
    return Contributions(kinds, values, C, z, b)
