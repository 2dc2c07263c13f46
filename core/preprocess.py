"""Turn a drawing or photo into what the dataset's own images look like, the way each dataset was made.

MNIST digits are light ink on black, scaled so the longer side is 20 px (keeping the aspect ratio,
with anti-aliasing) and placed in a 28x28 field so that their centre of mass sits at the centre.
`prepare_digit` does the same in pure NumPy and keeps every stage for display.
Fashion-MNIST's photos were trimmed to the item, scaled so the longer side is 28 px, centred and
negated (a light item on black): `prepare_clothing` does that.
"""
from dataclasses import dataclass, field

import numpy as np

from core.nn.shapes import SIDE

BOX, FIELD = 20, SIDE  # MNIST: the digit fits 20x20, centred in the 28x28 field
INK = 0.1          # a pixel counts as ink above this grey level (0..1)
MIN_INK_SHARE = 0.0005  # fewer ink pixels than this share of the image: nothing drawn
MIN_EXTENT = 0.08  # ink spanning less than this share of the image side is a dot, not a digit
MAX_INK_SHARE = 0.6  # MNIST digits cover at most 44 % of their field; more ink than this is a scribble
# A picture from outside (an upload, the prediction API) is refused beyond these, before its pixels are decoded
MAX_PICTURE_BYTES = 2 * 2**20
MAX_PIXELS = 4000 * 4000


@dataclass
class Prepared:
    """The result: `x` (784,) for the network when `ok`, else a `message` saying why not; `stages` for showing."""
    ok: bool
    message: str
    stages: dict = field(default_factory=dict)
    x: np.ndarray | None = None


def to_grey(image) -> np.ndarray:
    """Any image array (H, W), (H, W, 1|3|4), uint8/uint16/float, as grey levels in [0, 1]."""
    a = np.asarray(image)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (3, 4)) or 0 in a.shape:
        raise ValueError(f"expected a grey (H, W) or RGB(A) (H, W, 3|4) image, got shape {a.shape}")
    scale = float(np.iinfo(a.dtype).max) if a.dtype.kind in "ui" else 1.0
    a = a.astype(np.float64) / scale
    if a.ndim == 2:
        return np.clip(a, 0, 1)
    grey = a[..., :3] @ np.array([0.299, 0.587, 0.114])  # ITU-R 601 luma
    if a.shape[2] == 4 and a[..., 3].min() < 1:
        # strokes on a transparent background: the ink is where the image is opaque
        return np.clip(a[..., 3], 0, 1)
    return np.clip(grey, 0, 1)


def ink_on_dark(grey: np.ndarray) -> np.ndarray:
    """Make the ink light and the background dark, as in MNIST, judging the background by the border."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return 1 - grey if np.median(border) > 0.5 else grey


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """R[i, j] = share of output pixel i covered by input pixel j, so that out = R_rows @ img @ R_cols^T."""
    edges = np.linspace(0, n_in, n_out + 1)
    lo = np.maximum(edges[:-1, None], np.arange(n_in)[None, :])
    hi = np.minimum(edges[1:, None], np.arange(1, n_in + 1)[None, :])
    overlap = np.clip(hi - lo, 0, None)   # (n_out, n_in)
    return overlap / overlap.sum(axis=1, keepdims=True)


def resize_area(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize by area averaging: each output pixel is the mean of the input area it covers."""
    return area_weights(img.shape[0], height) @ img @ area_weights(img.shape[1], width).T


def centre_in_field(digit: np.ndarray, size: int = FIELD) -> np.ndarray:
    """Paste `digit` into a size x size black field so its centre of mass lands at the centre (13.5, 13.5)."""
    h, w = digit.shape
    rows, cols = np.indices(digit.shape)
    mass = digit.sum()
    cy, cx = (rows * digit).sum() / mass, (cols * digit).sum() / mass
    centre = (size - 1) / 2
    top = int(np.clip(round(centre - cy), 0, size - h))   # clipped so no ink falls off the field
    left = int(np.clip(round(centre - cx), 0, size - w))
    out = np.zeros((size, size))
    out[top:top + h, left:left + w] = digit
    return out


def prepare_digit(image) -> Prepared:
    """Drawing or photo -> MNIST-like 28x28 digit: grey, light-on-dark, crop to ink, longer side 20 px, centre."""
    grey = to_grey(image)
    ink = ink_on_dark(grey)
    stages = {"input (grey)": grey, "ink light on dark": ink}
    mask = ink > INK
    if mask.mean() < MIN_INK_SHARE:
        return Prepared(False, "Nothing drawn yet: draw a digit.", stages)
    if mask.mean() > MAX_INK_SHARE:
        return Prepared(False, f"The ink covers {mask.mean():.0%} of the picture: that is a scribble, not a digit. "
                               "Clear it and draw one digit.", stages)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    stages["cropped to the ink"] = crop
    if max(crop.shape) < MIN_EXTENT * min(ink.shape):
        return Prepared(False, "That is only a dot: draw a whole digit, as large as the box.", stages)
    scale = BOX / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    small = resize_area(crop, height, width)
    small /= small.max()  # full-strength ink, as in MNIST
    stages["longer side 20 px"] = small
    digit = centre_in_field(small)
    stages["centred in 28x28"] = digit
    return Prepared(True, "", stages, digit.reshape(-1).astype(np.float32))


def trimmed(image, stages: dict) -> tuple:
    """Grey, light on dark, cut to the bounding box of what is not background: (crop or None, why not)."""
    grey = to_grey(image)
    light = ink_on_dark(grey)
    stages.update({"input (grey)": grey, "light on dark": light})
    mask = light > INK
    if mask.mean() < MIN_INK_SHARE:
        return None, "Nothing to see: the picture is empty."
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    crop = light[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    stages["trimmed to the item"] = crop
    return crop, ""


def prepare_clothing(image) -> Prepared:
    """Photo of one piece of clothing -> Fashion-MNIST-like 28x28: grey, light on dark, trimmed, longer side 28 px,
    centred in the field (as Xiao, Rasul and Vollgraf made the dataset, 2017)."""
    stages = {}
    crop, why_not = trimmed(image, stages)
    if crop is None:
        return Prepared(False, why_not, stages)
    scale = FIELD / max(crop.shape)
    height, width = max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale))
    item = np.zeros((FIELD, FIELD))
    top, left = (FIELD - height) // 2, (FIELD - width) // 2
    item[top:top + height, left:left + width] = resize_area(crop, height, width)
    stages["longer side 28 px, centred"] = item
    return Prepared(True, "", stages, item.reshape(-1).astype(np.float32))


PREPARE = {"mnist": prepare_digit, "fashion-mnist": prepare_clothing}  # each dataset's own way of making its images
