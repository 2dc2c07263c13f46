"""Maps of what the layers see: each layer's outputs for many digits, flattened to rows and squeezed to 2-D.

PCA (principal component analysis) keeps the two directions along which the rows vary most:
centre the rows, Xc = X - mean, take the SVD Xc = U S Vᵀ, and the map is Xc V[:, :2]. The first
columns of V (the principal components) are the directions of largest variance, S² / (N - 1) the
variances along them. A new row x (the learner's drawing) lands at (x - mean) V[:, :2].
Shapes: X (N, d) -> coordinates (N, 2); components (2, d).

Only the first few columns of V are needed, so they come from the SVD of a thin sketch of Xc (subspace
iteration, Halko et al. 2011, as scikit-learn's PCA does for large data): np.linalg.svd of a whole
2,000 × 12,544 convolution output took 16 s here, the sketch about a second.
"""
from dataclasses import dataclass

import numpy as np

from core.nn.conv import Conv2D, MaxPool2D
from core.nn.layers import Activation, Dense
from core.nn.network import Network
from core.nn.shapes import CLASSES

MAP_DIGITS = 2000   # how many test digits a map shows
MAP_SEED = 0        # which ones: a fixed seeded choice, the same for everyone (map_subset)
NEIGHBOURS = 10     # neighbour_agreement looks at each digit's 10 nearest neighbours on the map


@dataclass(frozen=True)
class PCA:
    """A fitted PCA: subtract `mean` (d,), then project on `components` (k, d), one direction per row."""
    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray   # (k,) the share of all the variance each component keeps

    def transform(self, X) -> np.ndarray:
        """Rows X (N, d) -> their coordinates (N, k) on the map: (X - mean) Vₖ."""
        return (np.asarray(X, np.float64) - self.mean) @ self.components.T


def leading_directions(Xc, k: int, iterations: int = 8, seed: int = 0) -> tuple:
    """The k leading right singular vectors Vt (k, d) and singular values S (k,) of Xc (N, d), by subspace iteration.

    Q spans a few more directions than asked; each step Q <- orth(Xcᵀ Xc Q) turns it towards the directions Xc
    stretches most. Then the exact SVD of the thin Xc Q = U S Wᵀ gives v = Q w, with ‖Xc v‖ = s exactly.
    """
    width = min(k + 10, *Xc.shape)                                  # 10 spare directions speed up convergence
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((Xc.shape[1], width)))[0]   # (d, width)
    for _ in range(iterations):
        Q = np.linalg.qr(Xc.T @ (Xc @ Q))[0]                        # (d, width)
    _, S, Wt = np.linalg.svd(Xc @ Q, full_matrices=False)           # Xc Q = U S Wᵀ   (N, width)
    return (Q @ Wt.T)[:, :k].T, S[:k]


def fit_pca(X, k: int = 2) -> tuple:
    """PCA of the rows X (N, d) -> (PCA, coordinates (N, k) of the rows themselves, Xc V).

    Each component's sign is fixed so that its largest entry (in absolute value) is positive: an SVD may return
    v or -v, and the map must not flip from one run to the next.
    """
    X = np.asarray(X, np.float64)
    mean = X.mean(axis=0)
    Xc = X - mean
    Vt, S = leading_directions(Xc, k)
    signs = np.sign(Vt[np.arange(len(Vt)), np.abs(Vt).argmax(axis=1)])
    Vt = Vt * signs[:, None]
    total = (Xc ** 2).sum()                                         # (N - 1) × the total variance of all d columns
    ratio = S ** 2 / total if total > 0 else np.zeros(len(S))       # variance along v / total variance
    return PCA(mean, Vt, ratio), Xc @ Vt.T


def map_subset(n_test: int, n: int = MAP_DIGITS, seed: int = MAP_SEED) -> np.ndarray:
    """The indices (n,) of the test digits a map shows: a seeded random choice, sorted."""
    return np.sort(np.random.default_rng(seed).choice(n_test, min(n, n_test), replace=False))


def map_layers(net) -> list:
    """(name, index into the forward pass's outputs) of every layer worth a map, input first, logits last.

    Dense network: the pixels, each hidden layer's activations A_l, the logits Z_L. ConvNet: the pixels, each
    convolution's output after its activation, each max-pool's output (maps flattened to rows), each hidden dense
    layer after its activation, the logits.
    """
    if isinstance(net, Network):
        hidden = [(f"hidden layer {l} ({W.shape[1]} {net.activation})", l) for l, W in enumerate(net.weights[:-1], 1)]
        return [("input pixels (784)", 0), *hidden, (f"logits ({CLASSES})", len(net.weights))]
    layers, shapes, named, block = net.layers, net.layer_shapes(), [("input pixels (784)", 0)], 0
    for i, layer in enumerate(layers[:-1]):
        width = int(np.prod(shapes[i][1]))
        if isinstance(layer, Conv2D):
            block += 1
        elif isinstance(layer, Activation) and isinstance(layers[i - 1], Conv2D):
            named.append((f"convolution {block} + {net.activation} ({width})", i + 1))
        elif isinstance(layer, MaxPool2D):
            named.append((f"max-pool {block} ({width})", i + 1))
        elif isinstance(layer, Activation) and isinstance(layers[i - 1], Dense):
            named.append((f"dense {width} + {net.activation}", i + 1))
    return [*named, (f"logits ({CLASSES})", len(layers))]


def layer_outputs(net, X, indices, batch: int = 250) -> list:
    """What each layer of `indices` (positions as map_layers gives them) outputs for the rows X (N, 784), each
    flattened to (N, d_l). Dense network: 0 is X, l the activations A_l, L the logits Z_L; ConvNet: the forward
    pass's As[index]. Batches of 250 keep the convolutions' patches small; only the asked layers are kept."""
    parts = [[] for _ in indices]
    for start in range(0, len(X), batch):
        fwd = net.forward(X[start:start + batch])
        outputs = [*fwd.As[:-1], fwd.logits] if isinstance(net, Network) else fwd.As   # dense As[-1] is P, not Z_L
        for part, index in zip(parts, indices):
            part.append(np.asarray(outputs[index]).reshape(len(outputs[index]), -1))
    return [np.concatenate(part) for part in parts]


def neighbour_agreement(coords, labels, k: int = NEIGHBOURS) -> float:
    """How untangled the classes are on a map: for each point, the share of its k nearest other points (Euclidean,
    in the map's 2-D) with the same label, averaged over the points. 1 = every neighbourhood is one class;
    about 0.1 = ten classes mixed at random.  coords (N, 2), labels (N,)."""
    coords, labels = np.asarray(coords, np.float64), np.asarray(labels)
    squared = (coords ** 2).sum(1)
    D = squared[:, None] + squared[None, :] - 2 * coords @ coords.T   # ‖a - b‖² = ‖a‖² + ‖b‖² - 2 a·b (N, N)
    np.fill_diagonal(D, np.inf)                                         # a point is not its own neighbour
    nearest = np.argpartition(D, k, axis=1)[:, :k]                      # (N, k) the k closest, in any order
    return float(np.mean(labels[nearest] == labels[:, None]))
