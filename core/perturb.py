"""Ways to spoil a digit, to test how robust a model is, and the random mix of them that augments training.

Every function takes a batch of images (N, 28, 28) of any dtype with pixels in [0, 1] (or 0..255: only the noise
clips to [0, 1]) and returns a new batch of the same shape; one image is `images[None]`. Row r counts down from
the top, column c to the right; the centre of a 28-pixel side is at 13.5.
"""
import numpy as np

from core.evaluate import DIRECTIONS, SHIFTS, shift_images

shift = shift_images  # x'[r, c] = x[r − dy, c − dx], black where nothing came in: Evaluate's very shift

AUGMENT_SHIFT, AUGMENT_DEGREES, AUGMENT_THICKNESS = 2, 12.0, 1  # training's random ranges: ±2 px, ±12°, ±1 px


def add_noise(images, sigma: float, rng):
    """Gaussian noise of standard deviation sigma (pixels in [0, 1]), then clipped: x' = clip(x + σ ε, 0, 1),
    ε ~ N(0, 1) drawn from `rng` (a np.random.Generator, or a seed)."""
    rng = np.random.default_rng(rng)
    noisy = images + sigma * rng.standard_normal(images.shape)
    return np.clip(noisy, 0, 1).astype(images.dtype)


def rotate(images, degrees):
    """Turn each image anticlockwise by `degrees` (one angle, or one per image (N,)) about its centre, sampling
    bilinearly, black outside. The pixel at (y, x) from the centre takes the input's value at
    (y cos θ + x sin θ, x cos θ − y sin θ), between its four nearest pixels."""
    N, H, W = images.shape
    theta = np.deg2rad(np.broadcast_to(np.asarray(degrees, float), (N,)))[:, None, None]  # (N, 1, 1)
    y, x = np.mgrid[:H, :W] - np.array([(H - 1) / 2, (W - 1) / 2])[:, None, None]     # (H, W) each
    cos, sin = np.cos(theta), np.sin(theta)
    # rounded so that 90° lands exactly on pixels (cos 90° is 6e-17 in floating point, not 0)
    src_y = np.round(y * cos + x * sin + (H - 1) / 2, 9)                                   # (N, H, W)
    src_x = np.round(x * cos - y * sin + (W - 1) / 2, 9)
    return bilinear(images, src_y, src_x)


def bilinear(images, src_y, src_x):
    """out[n, r, c] = the image n read at (src_y, src_x): v = Σ (1 − |Δy|)(1 − |Δx|) · pixel over the four
    neighbours, 0 outside the image.  (N, H, W)"""
    N, H, W = images.shape
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1))).ravel()  # a black border: reads outside land on it
    y0, x0 = np.floor(src_y), np.floor(src_x)
    exact = np.result_type(images.dtype, np.float32)  # float32 images are read in float32, float64 ones in float64
    fy, fx = (src_y - y0).astype(exact), (src_x - x0).astype(exact)
    first = np.arange(N)[:, None, None] * (H + 2) * (W + 2)  # where each padded image starts, flattened
    out = np.zeros(src_y.shape, exact)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        rows = np.clip(y0 + dy, -1, H).astype(int) + 1   # far outside: clipped onto the black border
        for dx, wx in ((0, 1 - fx), (1, fx)):
            cols = np.clip(x0 + dx, -1, W).astype(int) + 1
            out += wy * wx * padded[first + rows * (W + 2) + cols]
    return out.astype(images.dtype)


def thicken(images, k: int):
    """Thicker strokes for k > 0, thinner for k < 0: grey dilation (erosion) by a (2|k|+1)² square,
    x'[r, c] = max (min) of x[r + i, c + j] over |i|, |j| ≤ |k|, taken over shifted copies (black beyond the edge)."""
    if k == 0:
        return images.copy()
    pick = np.maximum if k > 0 else np.minimum
    r = abs(k)
    out = images.copy()
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            out = pick(out, shift_images(images, dy, dx))
    return out


def occlude(images, size: int, row: int, col: int):
    """Black out a size × size square whose top-left pixel is (row, col): x'[r, c] = 0 there, x elsewhere."""
    out = images.copy()
    out[:, max(row, 0):max(row + size, 0), max(col, 0):max(col + size, 0)] = 0
    return out


def spoil(image, noise, degrees, thickness, dx, dy, square, row, col):
    """One digit (28, 28) through every perturbation in turn: rotate, thicken, shift, occlude, then noise (seed 0)."""
    images = thicken(rotate(image[None], degrees), thickness)
    return add_noise(occlude(shift(images, dy, dx), square, row, col), noise, 0)[0]


def augment(images, rng):
    """Training's augmentation: each image gets its own random shift (±AUGMENT_SHIFT px in each direction),
    rotation (uniform in ±AUGMENT_DEGREES) and stroke change (thicken by −1, 0 or +1), drawn from `rng` in
    that order: dy, dx (N, 2) integers, then the angles (N,), then k (N,).  (N, 28, 28)"""
    N = len(images)
    moves = rng.integers(-AUGMENT_SHIFT, AUGMENT_SHIFT + 1, (N, 2))
    angles = rng.uniform(-AUGMENT_DEGREES, AUGMENT_DEGREES, N)
    strokes = rng.integers(-AUGMENT_THICKNESS, AUGMENT_THICKNESS + 1, N)
    out = rotate(images, angles)
    for k in np.unique(strokes):
        out[strokes == k] = thicken(out[strokes == k], int(k))
    for dy, dx in np.unique(moves, axis=0):
        same = (moves == (dy, dx)).all(axis=1)
        out[same] = shift_images(out[same], int(dy), int(dx))
    return out


def augment_rows(X, rng):
    """`augment` for the rows a network reads: X (N, 784) -> (N, 784)."""
    return augment(X.reshape(-1, 28, 28), rng).reshape(X.shape)


def at_centre(size: int) -> int:
    """The top-left row (or column) of a size × size square centred on a 28-pixel side."""
    return 14 - size // 2


# The test-set experiment: for each perturbation, its strengths and the batches whose mean accuracy is one point
CURVES = {
    "noise": ("noise σ (pixel values 0 to 1)", (0.0, 0.1, 0.2, 0.3, 0.4, 0.5), lambda im, s: [add_noise(im, s, 0)]),
    "rotation": ("rotation (degrees, mean of both ways)", (0, 10, 20, 30, 45, 60),
                 lambda im, s: [rotate(im, s), rotate(im, -s)]),
    "thickness": ("stroke change k (pixels, − thinner, + thicker)", (-2, -1, 0, 1, 2, 3),
                  lambda im, s: [thicken(im, s)]),
    "shift": ("shift (pixels, mean of right, left, down, up)", tuple(SHIFTS),
              lambda im, s: [shift(im, dy * s, dx * s) for dy, dx in DIRECTIONS]),
    "occlusion": ("side of a black square at the centre (pixels)", (0, 4, 8, 12, 16),
                  lambda im, s: [occlude(im, s, at_centre(s), at_centre(s))]),
}


def accuracy_under(network, images, labels, name: str) -> list:
    """Accuracy at each strength of one perturbation of CURVES (the mean over its batches).
    images (N, 28, 28) uint8, labels (N,); returns one accuracy per strength."""
    pixels = images.astype(np.float32) / 255                  # (N, 28, 28) in [0, 1], as the network reads them
    spoil = CURVES[name][2]
    return [float(np.mean([network.accuracy(batch.reshape(len(batch), -1), labels) for batch in spoil(pixels, s)]))
            for s in CURVES[name][1]]
