"""Decoding uploaded pictures: every common mode, and clear refusals."""
import base64
import io

import numpy as np
import pytest
from PIL import Image

from core.preprocess import prepare_digit
from ui.images import ImageError, decode_image, pad_to_square, png_data_url


def encoded(img: Image.Image, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def bar(mode: str, ink, background, size=(60, 80)) -> Image.Image:
    img = Image.new(mode, size, background)
    img.paste(ink, (25, 10, 35, 70))
    return img


@pytest.mark.parametrize("img, fmt", [
    (bar("L", 255, 0), "PNG"),                                     # white on black
    (bar("L", 0, 255), "JPEG"),                                    # black on white, JPEG
    (bar("RGB", (0, 0, 0), (255, 255, 255)), "PNG"),
    (bar("RGBA", (0, 0, 0, 255), (0, 0, 0, 0)), "PNG"),            # black ink on transparent
    (bar("L", 255, 0).convert("P"), "PNG"),                        # palette
    (bar("CMYK", (0, 0, 0, 255), (0, 0, 0, 0)), "JPEG"),           # CMYK (black ink on white paper)
    (bar("I;16", 65535, 0), "PNG"),                                # 16-bit grey
])
def test_every_mode_gives_the_same_upright_bar(img, fmt):
    result = prepare_digit(decode_image(encoded(img, fmt)))
    assert result.ok
    assert result.stages["cropped to the ink"].shape[0] > 3 * result.stages["cropped to the ink"].shape[1]
    columns = np.nonzero(result.x.reshape(28, 28).sum(axis=0) > 1)[0]
    assert 11 <= columns.min() and columns.max() <= 16  # a narrow upright stroke in the middle


def test_not_an_image_is_refused():
    with pytest.raises(ImageError, match="not a PNG or JPEG picture"):
        decode_image(b"%PDF-1.4 not a picture")


def test_a_damaged_png_that_pillow_refuses_with_a_syntax_error_is_refused_with_a_message():
    raw, rng = encoded(Image.fromarray(np.arange(1600, dtype=np.uint8).reshape(40, 40))), np.random.default_rng(0)
    for _ in range(2000):  # damage 3 bytes at a time until Pillow's decoder raises SyntaxError (a bad chunk)
        damaged = bytearray(raw)
        for at in rng.integers(len(raw), size=3):
            damaged[at] = rng.integers(256)
        try:
            Image.open(io.BytesIO(bytes(damaged))).convert("L")
        except SyntaxError:
            break
        except Exception:  # noqa: BLE001 - other damage: try again
            continue
    else:
        pytest.fail("no damage made Pillow raise SyntaxError")
    with pytest.raises(ImageError, match="could not be decoded"):
        decode_image(bytes(damaged))


def test_a_huge_image_is_refused_from_its_header_before_decoding():
    header_only = encoded(Image.new("L", (12000, 12000)))[:200]  # a truncated file: only the header is real
    with pytest.raises(ImageError, match="12,000 × 12,000 pixels"):
        decode_image(header_only)
    bomb = encoded(Image.new("1", (20000, 20000)))[:200]          # past Pillow's own bomb limit
    with pytest.raises(ImageError, match="far larger"):
        decode_image(bomb)


def test_a_one_pixel_image_says_nothing_drawn():
    result = prepare_digit(decode_image(encoded(Image.new("L", (1, 1), 0))))
    assert not result.ok and "Nothing drawn" in result.message


def test_a_stage_is_shown_as_an_inline_png_with_square_pixels():
    grey = np.array([[0.0, 1.0], [0.5, 2.0]])  # out-of-range ink is clipped to white
    url = png_data_url(grey, scale=3)
    assert url.startswith("data:image/png;base64,")
    shown = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert shown.shape == (6, 6)
    assert shown[:3, :3].max() == 0 and shown[:3, 3:].min() == 255 and (shown[3:, :3] == 128).all()
    assert (shown[3:, 3:] == 255).all()


def test_a_thin_stroke_is_padded_to_a_black_square_around_its_centre():
    stroke = np.ones((5, 2))
    square = pad_to_square(stroke)
    assert square.shape == (5, 5)
    assert (square[:, 1:3] == 1).all() and square.sum() == stroke.sum()   # 1 column left, 2 right of the stroke
