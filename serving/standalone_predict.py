"""Read a handwritten digit (or, with a Fashion-MNIST model, a photo of clothing) with a model of the app
"Neural network from scratch", with nothing but NumPy (and Pillow to open a PNG or JPEG).

    python predict.py digit.png             # the model is model.npz beside this file
    python predict.py digit.npy --model other.npz --json

The picture goes through the app's Draw page preprocessing (grey, light ink on black, cropped to the ink, the
longer side scaled to 20 px, the centre of mass put in the middle of 28×28; for clothing: trimmed, longer side
28 px, centred), then through the network. A 28×28 array (a dataset image, uint8 or floats in [0, 1]) goes the
same way, as on the Draw page. This file is a copy of the app's code (core/preprocess.py and core/nn/) made to
travel alone; the app's tests check that both give the same numbers.
"""
import argparse
import json
import sys
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

BOX, FIELD = 20, 28     # MNIST: the digit fits 20x20, centred in the 28x28 field
INK = 0.1               # a pixel counts as ink above this grey level (0..1)
MIN_INK_SHARE = 0.0005  # fewer ink pixels than this share of the image: nothing drawn
MIN_EXTENT = 0.08       # ink spanning less than this share of the image side is a dot, not a digit
MAX_INK_SHARE = 0.6     # more ink than this share is a scribble, not a digit
LEAKY_SLOPE = 0.01
CLASSES = {"mnist": tuple("0123456789"),
           "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                             "Bag", "Ankle boot")}


class NotAPicture(ValueError):
    """The picture cannot be read as a digit (nothing drawn, a dot, a scribble); the message says why."""


# Preprocessing: the app's core/preprocess.py.

def to_grey(image) -> np.ndarray:
    """Any image array (H, W), (H, W, 1|3|4), uint8/uint16/float, as grey levels in [0, 1]."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or 0 in a.shape:
        raise NotAPicture(f"expected a grey (H, W) or RGB(A) (H, W, 3|4) image, got shape {a.shape}")
    scale = float(np.iinfo(a.dtype).max) if a.dtype.kind in "ui" else 1.0
    a = a.astype(np.float64) / scale
    if a.ndim == 2:
        return np.clip(a, 0, 1)
    grey = a[..., :3] @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma
    if a.shape[2] == 4 and a[..., 3].min() < 1:
        return np.clip(a[..., 3], 0, 1)  # strokes on a transparent background: the ink is where it is opaque
    return np.clip(grey, 0, 1)


def ink_on_dark(grey):
    """Light ink on a dark background, as in MNIST, judging the background by the border."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 1 - grey if np.median(border) > 0.5 else grey


def resize_area(img, height: int, width: int):
    """Resize by area averaging: each output pixel is the mean of the input area it covers."""
    def weights(n_in, n_out):  # R[i, j] = share of output pixel i covered by input pixel j
        edges = np.linspace(0, n_in, n_out + 1)
        lo = np.maximum(edges[:-1, None], np.arange(n_in)[None, :])
        hi = np.minimum(edges[1:, None], np.arange(1, n_in + 1)[None, :])
        overlap = np.clip(hi - lo, 0, None)
        return overlap / overlap.sum(axis=1, keepdims=True)
    return weights(img.shape[0], height) @ img @ weights(img.shape[1], width).T


def centre_in_field(digit, size: int = FIELD):
    """Paste `digit` into a black size x size field with its centre of mass at the centre."""
    h, w = digit.shape
    rows, cols = np.indices(digit.shape)
    mass = digit.sum()
    cy, cx = (rows * digit).sum() / mass, (cols * digit).sum() / mass
    centre = (size - 1) / 2
    top = int(np.clip(round(centre - cy), 0, size - h))
    left = int(np.clip(round(centre - cx), 0, size - w))
    out = np.zeros((size, size))
    out[top:top + h, left:left + w] = digit
    return out


def ink_box(image):
    """Light on dark, cut to the bounding box of the ink: (whole image, crop)."""
    ink = ink_on_dark(to_grey(image))
    mask = ink > INK
    if mask.mean() < MIN_INK_SHARE:
        raise NotAPicture("Nothing drawn: the picture is empty.")
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return ink, mask, ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def prepare_digit(image) -> np.ndarray:
    """A drawing or photo as an MNIST digit: crop to the ink, longer side 20 px, centre of mass in 28x28.  (784,)"""
    ink, mask, crop = ink_box(image)
    if mask.mean() > MAX_INK_SHARE:
        raise NotAPicture(f"The ink covers {mask.mean():.0%} of the picture: that is a scribble, not a digit.")
    if max(crop.shape) < MIN_EXTENT * min(ink.shape):
        raise NotAPicture("That is only a dot: draw a whole digit, as large as the box.")
    scale = BOX / max(crop.shape)
    small = resize_area(crop, max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    small /= small.max()  # full-strength ink, as in MNIST
    return centre_in_field(small).reshape(-1).astype(np.float32)


def prepare_clothing(image) -> np.ndarray:
    """A photo of one piece of clothing as Fashion-MNIST: trimmed, longer side 28 px, centred.  (784,)"""
    _, _, crop = ink_box(image)
    scale = FIELD / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    item = np.zeros((FIELD, FIELD))
    top, left = (FIELD - height) // 2, (FIELD - width) // 2
    item[top:top + height, left:left + width] = resize_area(crop, height, width)
    return item.reshape(-1).astype(np.float32)


def read_picture(path: Path) -> np.ndarray:
    """A .npy array, or a PNG/JPEG read as the app reads an upload: grey, or RGBA if it has transparency."""
    if path.suffix.lower() == ".npy":
        return np.load(path, allow_pickle=False)
    from PIL import Image  # only pictures need Pillow
    with Image.open(path) as img:
        if img.mode.startswith("I") or img.mode == "F":  # 16- or 32-bit grey
            grey = np.asarray(img, dtype=np.float64)
            return grey / (65535.0 if grey.max() > 255 else 255.0)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        return np.asarray(img.convert("RGBA" if has_alpha else "L"))


# The network: the app's core/nn/ forward pass, for a dense network or a ConvNet.

ACTIVATIONS = {
    "relu": lambda Z: np.maximum(Z, 0),
    "leaky_relu": lambda Z: np.where(Z > 0, Z, LEAKY_SLOPE * Z),
    "sigmoid": lambda Z: 0.5 * (1 + np.tanh(0.5 * Z)),  # 1 / (1 + e^-z) without overflow
    "tanh": np.tanh,
}


def softmax(Z):
    """p_k = e^(z_k - max z) / sum_j e^(z_j - max z), row by row."""
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def convolve(X, K, b, padding: str):
    """Z[n, y, x, f] = sum_{i,j,c} Xp[n, y+i, x+j, c] K[i, j, c, f] + b[f].  (N, H, W, C) -> (N, Ho, Wo, F)"""
    kh, kw, _, F = K.shape
    if padding == "same":  # k - 1 zeros in all, the odd one after
        X = np.pad(X, ((0, 0), ((kh - 1) // 2, kh // 2), ((kw - 1) // 2, kw // 2), (0, 0)))
    N, Ho, Wo = X.shape[0], X.shape[1] - kh + 1, X.shape[2] - kw + 1
    cols = sliding_window_view(X, (kh, kw), axis=(1, 2)).transpose(0, 1, 2, 4, 5, 3).reshape(-1, kh * kw * X.shape[3])
    Z = cols @ K.reshape(-1, F)
    Z += b
    return Z.reshape(N, Ho, Wo, F)


def max_pool(X):
    """The largest value of each 2×2 window; an odd last row or column is dropped.  (N, H, W, C) -> (N, H/2, W/2, C)"""
    Ho, Wo = X.shape[1] // 2, X.shape[2] // 2
    out = X[:, 0:Ho * 2:2, 0:Wo * 2:2].copy()
    for i, j in ((0, 1), (1, 0), (1, 1)):
        np.maximum(out, X[:, i:Ho * 2:2, j:Wo * 2:2], out=out)
    return out


def load_model(path) -> dict:
    """A model file of the app (.npz of W1, b1, ... or K1, b1, ... and a JSON `meta`), read without pickle."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(str(arrays.pop("meta")))
    return {"meta": meta, "arrays": arrays, "classes": CLASSES[meta.get("dataset", "mnist")]}


def predict_proba(model: dict, X) -> np.ndarray:
    """Rows of pixels X (N, 784) in [0, 1] -> the probability of each class (N, 10)."""
    meta, arrays = model["meta"], model["arrays"]
    f, convs = ACTIVATIONS[meta["activation"]], meta.get("convs", [])
    A = np.asarray(X).astype(arrays["b1"].dtype, copy=False)
    if convs:
        A = A.reshape(-1, FIELD, FIELD, 1)                   # images, channels last
        for l, (_, _, padding) in enumerate(convs, start=1):
            A = max_pool(f(convolve(A, arrays[f"K{l}"], arrays[f"b{l}"], padding)))
        A = A.reshape(len(A), -1)                            # (N, H·W·C), each image's maps in (H, W, C) order
    first, last = len(convs) + 1, len(arrays) // 2
    for l in range(first, last + 1):
        Z = A @ arrays[f"W{l}"] + arrays[f"b{l}"]            # Z = A W + b
        A = f(Z) if l < last else Z
    return softmax(A) if meta["output"] == "softmax" else ACTIVATIONS["sigmoid"](A)


def predict(model: dict, picture) -> tuple:
    """A picture (any size, as on the Draw page) -> (class index, probabilities (10,))."""
    prepare = prepare_digit if model["meta"].get("dataset", "mnist") == "mnist" else prepare_clothing
    p = predict_proba(model, prepare(picture)[None, :])[0]
    return int(p.argmax()), p


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Read a digit (a PNG, JPEG or .npy picture) with a model of the app.")
    parser.add_argument("picture", type=Path, help="a PNG or JPEG, or a .npy array such as a 28×28 dataset image")
    parser.add_argument("--model", type=Path, default=Path(__file__).with_name("model.npz"), help="the model file")
    parser.add_argument("--json", action="store_true", help="print the prediction and probabilities as JSON")
    args = parser.parse_args(argv)
    try:
        model = load_model(args.model)
    except (OSError, ValueError, KeyError) as err:  # no such file, or not a model file of the app
        print(f"error: {args.model} is not a model file of the app ({err})", file=sys.stderr)
        return 2
    try:
        label, p = predict(model, read_picture(args.picture))
    except (OSError, ValueError, ImportError) as err:  # no such file, not a picture, nothing drawn, no Pillow
        print(f"error: {args.picture}: {err}", file=sys.stderr)
        return 2
    name = model["classes"][label]
    if args.json:
        print(json.dumps({"prediction": label, "class": name, "probabilities": p.tolist()}))
    else:
        print(f"{name}  ({p[label]:.2%} sure, {args.model.name})")
        width = max(map(len, model["classes"]))
        print("\n".join(f"  {c:>{width}}  {q:.6f}" for c, q in zip(model["classes"], p)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
