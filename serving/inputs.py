"""What a prediction request may carry, read and checked: a PNG or JPEG, or pixel values 0-255 as JSON.

Every refusal is a `BadInput` with the HTTP status to answer and a message that says what is wrong, so a
client always learns why (a 4xx), and the server never fails on what a client sent.
"""
import json

import numpy as np

from core.nn.shapes import SIDE
from core.preprocess import MAX_PICTURE_BYTES
from ui.images import ImageError, PictureTooLarge, decode_image

FORMATS = ("PNG", "JPEG")
MAX_BATCH = 1000  # images in one /predict/batch request
MAX_BODY_BYTES = 8 * 2**20  # a batch of 1,000 grids as JSON is about 4 MB; a picture is at most 2 MB
GRID = (SIDE, SIDE)


class BadInput(ValueError):
    """The request cannot be answered as sent: `status` is its HTTP status, the message says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def decode_picture(raw: bytes) -> np.ndarray:
    """PNG/JPEG bytes -> grey (H, W) or RGBA (H, W, 4) array, by the Draw page's own decoder (ui.images)."""
    if not raw:
        raise BadInput(400, 'The file "image" is empty: send a PNG or JPEG of one digit.')
    if len(raw) > MAX_PICTURE_BYTES:
        raise BadInput(413, f"The picture is {len(raw) / 2**20:.1f} MB; at most {MAX_PICTURE_BYTES // 2**20} MB "
                            "are accepted.")
    try:
        return decode_image(raw, FORMATS)
    except PictureTooLarge as err:
        raise BadInput(413, str(err)) from None
    except ImageError as err:
        raise BadInput(415, f'The file "image": {err}') from None


def parse_json(raw: bytes) -> dict:
    """The request body as a JSON object holding "pixels"."""
    if not raw:
        raise BadInput(400, 'The body is empty: send JSON {"pixels": [[...28 values 0-255...], ...]}.')
    try:
        body = json.loads(raw, parse_constant=_not_json)
    except (ValueError, RecursionError) as err:  # JSONDecodeError and bytes that are not UTF-8 are ValueErrors
        raise BadInput(400, f"The body is not valid JSON ({err}).") from None
    if not isinstance(body, dict) or "pixels" not in body:
        raise BadInput(422, 'The JSON has no field "pixels": send {"pixels": [[...28 values 0-255...], ...]}.')
    return body


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON number")


def pixel_images(pixels, batch: bool) -> np.ndarray:
    """JSON pixel values 0-255, one 28x28 grid (or a list of them for a batch) -> grey images in [0, 1], (N, 28, 28)."""
    expected = (f"a list of 1 to {MAX_BATCH} grids of 28 rows of 28 values" if batch else
                "28 rows of 28 values (several images go to /predict/batch)")
    try:
        a = np.array(pixels)
    except ValueError:  # numpy: "inhomogeneous shape"
        raise BadInput(422, f'"pixels" must be {expected}; its rows have different lengths.') from None
    if a.dtype.kind not in "iuf":
        found = _first_non_number(pixels) or "numbers too large to read"
        raise BadInput(422, f'"pixels" must hold numbers 0-255 only; found {found}.')
    if a.shape[-2:] != GRID or a.ndim != (3 if batch else 2) or not 1 <= len(a) <= MAX_BATCH:
        raise BadInput(422, f'"pixels" has shape {a.shape}; expected {expected} (0-255).')
    if not np.isfinite(a).all() or a.min() < 0 or a.max() > 255:
        where = np.argwhere(~((a >= 0) & (a <= 255)))[0]
        raise BadInput(422, f'"pixels" values must be 0 to 255; found {a[tuple(where)]} at {where.tolist()}.')
    return (a / 255.0).reshape(-1, *GRID)


def _first_non_number(value, where=()) -> str:
    """The first value in nested lists that is not a number (JSON true and false are not), with its place."""
    if isinstance(value, list):
        return next(filter(None, (_first_non_number(item, (*where, i)) for i, item in enumerate(value))), "")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{json.dumps(value)[:40]} at {list(where)}"
    return ""
