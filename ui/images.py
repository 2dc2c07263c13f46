"""Decoding uploaded pictures and the drawing canvas into NumPy arrays, refusing what cannot be a digit."""
import base64
import html
import io
import warnings

import numpy as np
from PIL import Image, UnidentifiedImageError

from core.preprocess import MAX_PIXELS  # refused from the header, before the pixels are decoded


class ImageError(ValueError):
    """The upload is not a picture this app can read; the message says why."""


class PictureTooLarge(ImageError):
    """The picture has more pixels than the app accepts."""


def decode_image(raw: bytes, formats: tuple | None = None) -> np.ndarray:
    """PNG/JPEG bytes -> grey (H, W) or RGBA (H, W, 4) array; palette, CMYK and 16-bit modes included.

    `formats`: the Pillow formats accepted (None: any it reads). The prediction API decodes with this too."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we refuse large pictures ourselves
            img = Image.open(io.BytesIO(raw), formats=formats)  # reads only the header
    except Image.DecompressionBombError:
        raise PictureTooLarge(f"The picture is far larger than {MAX_PIXELS:,} pixels. Crop it to the digit.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):  # a damaged header can raise any of them
        raise ImageError("This file is not a PNG or JPEG picture that can be read.") from None
    if img.width * img.height > MAX_PIXELS:
        raise PictureTooLarge(f"The picture is {img.width:,} × {img.height:,} pixels; at most "
                              f"{MAX_PIXELS:,} pixels are accepted. Crop it to the digit.")
    try:
        if img.mode.startswith("I") or img.mode == "F":  # 16- or 32-bit grey
            grey = np.asarray(img, dtype=np.float64)
            return grey / (65535.0 if grey.max() > 255 else 255.0)
        has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
        return np.asarray(img.convert("RGBA" if has_alpha else "L"))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise ImageError(f"The picture could not be decoded ({err}).") from None


def pad_to_square(grey: np.ndarray) -> np.ndarray:
    """The image centred on a black square as wide as its longer side, so every stage is drawn as a square panel.

    Streamlit stretches an image to its column's width: a thin 1 cropped to 20 × 200 pixels would be drawn ten
    times as tall as the column is wide.
    """
    h, w = grey.shape
    side = max(h, w)
    top, left = (side - h) // 2, (side - w) // 2
    return np.pad(grey, ((top, side - h - top), (left, side - w - left)))


def png_data_url(grey: np.ndarray, scale: int = 1) -> str:
    """A grey image with values in [0, 1] as an inline PNG, each pixel drawn as a scale × scale square.

    Inline rather than through Streamlit's media files: those of a rerun that a quick redraw replaced
    are deleted, and a browser that asks for one late gets a 404 and a broken image.
    """
    pixels = (np.clip(grey, 0, 1) * 255).round().astype(np.uint8)
    img = Image.fromarray(pixels)
    img = img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def digit_grid(images, captions, columns: int, max_width: int = 900) -> str:
    """Grey images (n, h, w) in [0, 1] in a grid of `columns`, each with its caption under it: HTML for st.html.

    The browser scales the 28×28 pictures to the column width with crisp pixels (image-rendering: pixelated),
    so a row always fits and each picture stays a few hundred bytes.
    """
    cells = "".join(
        f'<figure style="margin:0" title="{html.escape(caption)}"><img src="{png_data_url(image)}" '
        f'alt="{html.escape(caption)}" style="width:100%;image-rendering:pixelated;display:block;border-radius:2px">'
        f'<figcaption style="font-size:0.7rem;line-height:1.2;text-align:center;color:#444">'  # breaks at spaces only'
        f'{html.escape(caption)}</figcaption></figure>' for image, caption in zip(images, captions))
    return (f'<div style="display:grid;grid-template-columns:repeat({columns},minmax(0,1fr));gap:6px 4px;'
            f'max-width:{max_width}px">{cells}</div>')
