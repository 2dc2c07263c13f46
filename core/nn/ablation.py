"""Silencing units and editing weights: "what happens if…?" on a copy of a network, the original untouched.

A silenced unit (a hidden neuron, or a convolution filter's whole feature map) sends 0 to the next layer. The next
layer computes Z = A W + b (a convolution: the same at every position), so multiplying A[:, k] by 0 is exactly
zeroing the weights that leave unit k: row k of W, or input channel k of the next kernel, or, after flatten, the
rows of every position of map k. The edited copy is therefore an ordinary network that every page can use.
"""
from dataclasses import dataclass, replace

import numpy as np

from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet


@dataclass(frozen=True)
class Layer:
    """A layer whose units can be silenced: its name, how many units, the weights that leave them, and the
    position in the forward pass's As where the next layer reads them."""
    name: str
    size: int
    outgoing: str   # the parameter name of the weights leaving its units: "W2", "K2", ...
    read_at: int    # fwd.As[read_at] is what the next layer receives: (N, size), or maps (N, H, W, size) or flat


@dataclass(frozen=True)
class Edits:
    """Every change made to a network, in the order made.

    silenced: ((layer position in silenceable_layers, (unit, ...)), ...); weights: ((name, row, column, how,
    number), ...) with how "scale" (w <- number·w) or "set" (w <- number). A kernel K (k, k, C, F) is edited as
    the matrix im2col multiplies by, K.reshape(k·k·C, F): a row is one (i, j, channel) entry, a column one filter.
    """
    silenced: tuple = ()
    weights: tuple = ()

    def silence(self, position: int, units) -> "Edits":
        """The same edits with layer `position`'s silenced units replaced by `units`."""
        kept = tuple((p, u) for p, u in self.silenced if p != position)
        chosen = tuple(sorted(int(k) for k in units))
        return replace(self, silenced=kept + ((position, chosen),) if chosen else kept)

    def silenced_in(self, position: int) -> tuple:
        return dict(self.silenced).get(position, ())

    def edit_weight(self, name: str, row: int, column: int, how: str, number: float) -> "Edits":
        if how not in ("scale", "set"):
            raise ValueError(f"a weight is scaled or set, not {how!r}")
        return replace(self, weights=self.weights + ((name, int(row), int(column), how, float(number)),))


def silenceable_layers(network) -> list:
    """Every layer whose units can be silenced: the hidden layers, and for a ConvNet each convolution's filters."""
    if not isinstance(network, ConvNet):
        return [Layer(f"hidden layer {l}", network.sizes[l], f"W{l + 1}", l) for l in range(1, len(network.weights))]
    where = {id(layer): i for i, layer in enumerate(network.layers)}
    numbered = network.numbered()
    layers = []
    for (layer, l), (after, _) in zip(numbered, numbered[1:]):   # every parameter layer but the output layer
        kind = "convolution" if "K" in layer.params else "dense layer"
        size = layer.params["b"].size
        layers.append(Layer(f"{kind} {l} ({'filters' if kind == 'convolution' else 'neurons'})", size,
                            f"{'K' if 'K' in after.params else 'W'}{l + 1}", where[id(after)]))
    return layers


def weight_matrix(W):
    """A weight array as a matrix (rows: inputs, columns: units); a view, so writing to it changes W."""
    return W.reshape(-1, W.shape[-1])


def edited(network, edits: Edits):
    """A copy of `network` with `edits` applied: weight edits in order, then every silenced unit's outgoing weights
    set to 0 (a silenced unit stays silent whatever was done to its weights)."""
    copy = network.copy()
    params = copy.params()
    for name, row, column, how, number in edits.weights:
        matrix = weight_matrix(params[name])
        if not (0 <= row < matrix.shape[0] and 0 <= column < matrix.shape[1]):
            raise ValueError(f"{name} has rows 0-{matrix.shape[0] - 1} and columns 0-{matrix.shape[1] - 1}")
        matrix[row, column] = number * matrix[row, column] if how == "scale" else number
    layers = silenceable_layers(copy)
    for position, units in edits.silenced:
        layer, W = layers[position], params[layers[position].outgoing]
        if min(units) < 0 or max(units) >= layer.size:
            raise ValueError(f"{layer.name} has units 0-{layer.size - 1}")
        if W.ndim == 4:
            W[:, :, list(units), :] = 0                           # K (k, k, C, F): input channel k is map k
        else:
            W[np.isin(np.arange(len(W)) % layer.size, units)] = 0  # flat (H·W·C): row r belongs to map r mod C
    return copy


def importance(network, X, y, position: int) -> np.ndarray:
    """What each unit of a layer is worth on the images X (N, 784) with labels y (N,): silence it alone and measure.

    For unit k: drop_k = accuracy - accuracy with only k silenced, and loss_k = the cross-entropy's rise
    (mean of -log P[n, y_n]). Ranked by drop_k, ties (most units cost no image alone) by loss_k, a unit's score is
    drop_k + loss_k / 1000 (loss rises here are far below 1000). Only the layers after this one are run again. -> (size,)
    """
    layer = silenceable_layers(network)[position]
    A = network.forward(X).As[layer.read_at]                  # what the next layer receives
    base_acc, base_loss = right_and_loss(logits_from(network, A, layer.read_at), y)
    scores, silent = np.empty(layer.size), A.copy()
    units = silent.reshape(-1, layer.size)                    # a view: channels are the last axis of maps and flat maps
    for k in range(layer.size):
        kept, units[:, k] = units[:, k].copy(), 0             # silence k alone, then give it back
        acc, loss = right_and_loss(logits_from(network, silent, layer.read_at), y)
        units[:, k] = kept
        scores[k] = (base_acc - acc) + (loss - base_loss) / 1000
    return scores


def logits_from(network, A, read_at: int):
    """The rest of the forward pass: the logits from what layer `read_at` receives (fwd.As[read_at]). (N, 10)"""
    if isinstance(network, ConvNet):
        for layer in network.layers[read_at:]:
            A = layer.forward(A)[0]
        return A
    f = ACTIVATIONS[network.activation].forward
    for l in range(read_at, len(network.weights)):
        Z = A @ network.weights[l] + network.biases[l]        # (N, n_l)
        A = f(Z)
    return Z


def right_and_loss(logits, y) -> tuple:
    """(accuracy, mean cross-entropy -log softmax(z)[y]) of logits (N, 10) against labels y (N,)."""
    shifted = logits - logits.max(axis=1, keepdims=True)      # subtract the row max so exp() cannot overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(np.mean(logits.argmax(axis=1) == y)), float(-log_p[np.arange(len(y)), y].mean())


def most_important(scores, count: int) -> np.ndarray:
    """The `count` units of highest importance, the highest first."""
    return np.argsort(-np.asarray(scores), kind="stable")[:count]


def random_units(size: int, count: int, seed: int) -> np.ndarray:
    """`count` different units of `size`, drawn at random (the same for the same seed), in order."""
    return np.sort(np.random.default_rng(seed).choice(size, size=min(count, size), replace=False))


def per_class_accuracy(predicted, labels, classes: int = 10) -> np.ndarray:
    """The share of each class's images predicted right: acc_c = #{n: y_n = c, pred_n = c} / #{n: y_n = c}. (classes,)"""
    right = np.bincount(labels[predicted == labels], minlength=classes)
    total = np.bincount(labels, minlength=classes)
    return np.divide(right, total, out=np.zeros(classes), where=total > 0)
