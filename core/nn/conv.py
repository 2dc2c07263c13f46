"""Convolution, 2×2 max-pooling and flattening, each forward beside its backward, for batch-first images.

Images are X (N, H, W, C): N images of H×W pixels with C channels (C = 1 for MNIST). A kernel
K (kh, kw, C, F) holds F filters. A convolution is a dense layer applied at every position: every
kh×kw×C patch of the input becomes one row (im2col), and one matrix product computes all outputs,
Z = cols @ K.reshape(-1, F) + b.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

PADDINGS = ("valid", "same")


def padding_widths(kernel: int, padding: str) -> tuple:
    """Zeros added before and after each spatial axis: none for 'valid'; k - 1 in all for 'same' (output size = input size)."""
    if padding not in PADDINGS:
        raise ValueError(f"unknown padding {padding!r}: use 'valid' or 'same'")
    if padding == "valid":
        return 0, 0
    return (kernel - 1) // 2, kernel - 1 - (kernel - 1) // 2


def output_size(size: int, kernel: int, padding: str) -> int:
    """Positions a kernel fits at with stride 1: size + padding - kernel + 1."""
    return size + sum(padding_widths(kernel, padding)) - kernel + 1


def pad(X, kh: int, kw: int, padding: str):
    (top, bottom), (left, right) = padding_widths(kh, padding), padding_widths(kw, padding)
    if top + bottom + left + right == 0:
        return X
    return np.pad(X, ((0, 0), (top, bottom), (left, right), (0, 0)))


def im2col(Xp, kh: int, kw: int):
    """Every kh×kw patch of the (padded) input as one row, in (i, j, channel) order.  (N*Ho*Wo, kh*kw*C)"""
    windows = sliding_window_view(Xp, (kh, kw), axis=(1, 2))          # (N, Ho, Wo, C, kh, kw), a view
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * Xp.shape[3])  # the one copy


def conv_forward(X, K, b, padding: str = "valid"):
    """Z[n, y, x, f] = sum_{i,j,c} Xp[n, y+i, x+j, c] K[i, j, c, f] + b[f].  X (N, H, W, C) -> Z (N, Ho, Wo, F); also cols."""
    kh, kw, _, F = K.shape
    Xp = pad(X, kh, kw, padding)
    N, Ho, Wo = X.shape[0], Xp.shape[1] - kh + 1, Xp.shape[2] - kw + 1
    cols = im2col(Xp, kh, kw)                                          # (N*Ho*Wo, kh*kw*C)
    Z = cols @ K.reshape(-1, F)                                        # (N*Ho*Wo, F)
    Z += b
    return Z.reshape(N, Ho, Wo, F), cols


def conv_backward(dZ, cols, K, input_shape: tuple, padding: str = "valid", need_dX: bool = True):
    """Given dL/dZ: dK = cols^T dZ and db = sum dZ, as for a dense layer; dX adds each patch's share back (col2im)."""
    kh, kw, C, F = K.shape
    N, Ho, Wo, _ = dZ.shape
    dZ_rows = dZ.reshape(-1, F)                                        # (N*Ho*Wo, F)
    dK = (cols.T @ dZ_rows).reshape(K.shape)                           # (kh, kw, C, F)
    db = np.ones(len(dZ_rows), dZ.dtype) @ dZ_rows                     # sum over rows, (F,); 20× faster than .sum(0) here
    if not need_dX:
        return None, dK, db
    # dL/d(every patch entry), channel-first (kh, kw, C, N, Ho, Wo) so each (i, j) slice below is contiguous
    dcols = (K.reshape(-1, F) @ dZ_rows.T).reshape(kh, kw, C, N, Ho, Wo)
    (top, _), (left, _) = padding_widths(kh, padding), padding_widths(kw, padding)
    H, W = input_shape[1], input_shape[2]
    dXp = np.zeros((C, N, Ho + kh - 1, Wo + kw - 1), dZ.dtype)
    for i in range(kh):                      # input pixel (y+i, x+j) fed output (y, x) through K[i, j]
        for j in range(kw):
            dXp[:, :, i:i + Ho, j:j + Wo] += dcols[i, j]
    return dXp[:, :, top:top + H, left:left + W].transpose(1, 2, 3, 0), dK, db


def window_corners(X, size: int) -> list:
    """The size² strided views X[:, i::size, j::size] (one entry of every window each), cut to whole windows."""
    Ho, Wo = X.shape[1] // size, X.shape[2] // size
    return [X[:, i:Ho * size:size, j:Wo * size:size] for i in range(size) for j in range(size)]


def maxpool_forward(X, size: int = 2):
    """The largest value of each size×size window (stride = size; an odd last row or column is dropped, as in PyTorch).

    X (N, H, W, C) -> (N, H//size, W//size, C), and which entry q = i·size + j of each window won.
    """
    corners = window_corners(X, size)
    out = corners[0].copy()
    for corner in corners[1:]:
        np.maximum(out, corner, out=out)
    winner = np.full(out.shape, len(corners) - 1, np.int8)
    for q in range(len(corners) - 2, -1, -1):   # backwards, so a tie goes to the first maximum
        winner[corners[q] == out] = q
    return out, winner


def maxpool_backward(dOut, winner, input_shape: tuple, size: int = 2):
    """Each window's gradient goes to the input that won it; the others get 0 (they did not affect the output)."""
    dX = np.zeros(input_shape, dOut.dtype)
    for q, corner in enumerate(window_corners(dX, size)):
        corner[...] = np.where(winner == q, dOut, 0)
    return dX


# The layer objects: the protocol of core.nn.cnn around the functions above.


class Conv2D:
    """F filters of size k×k over all input channels, stride 1, 'valid' or 'same' padding.  K (k, k, C, F), b (F,)"""

    def __init__(self, K, b, padding: str = "same"):
        padding_widths(K.shape[0], padding)  # refuses an unknown padding
        self.params, self.padding = {"K": K, "b": b}, padding

    def forward(self, A):
        Z, cols = conv_forward(A, self.params["K"], self.params["b"], self.padding)  # (N, Ho, Wo, F)
        return Z, (cols, A.shape)

    def backward(self, dZ, cache, need_dX: bool = True):
        cols, shape = cache
        dA, dK, db = conv_backward(dZ, cols, self.params["K"], shape, self.padding, need_dX)
        return dA, {"K": dK, "b": db}

    def output_shape(self, shape: tuple) -> tuple:
        k, _, _, filters = self.params["K"].shape
        return output_size(shape[0], k, self.padding), output_size(shape[1], k, self.padding), filters

    def describe(self) -> str:
        k, _, _, filters = self.params["K"].shape
        return f"conv {filters}@{k}×{k} {self.padding}"


class MaxPool2D:
    """The largest value of each 2×2 window: halves height and width, keeps the channels."""
    params: dict = {}

    def forward(self, A):
        out, winner = maxpool_forward(A)
        return out, (winner, A.shape)

    def backward(self, dOut, cache, need_dX: bool = True):
        winner, shape = cache
        return maxpool_backward(dOut, winner, shape), {}

    def output_shape(self, shape: tuple) -> tuple:
        return shape[0] // 2, shape[1] // 2, shape[2]

    def describe(self) -> str:
        return "max-pool 2×2"


class Flatten:
    """(N, H, W, C) -> (N, H·W·C): the maps as one row per image, for the dense layers."""
    params: dict = {}

    def forward(self, A):
        return A.reshape(len(A), -1), A.shape

    def backward(self, dOut, shape, need_dX: bool = True):
        return dOut.reshape(shape), {}

    def output_shape(self, shape: tuple) -> tuple:
        return (int(np.prod(shape)),)

    def describe(self) -> str:
        return "flatten"
