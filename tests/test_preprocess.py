import numpy as np
import pytest

from core.preprocess import area_weights, centre_in_field, prepare_digit, resize_area, to_grey


def canvas(draw, size=280, ink=255, background=0, rgba=True):
    img = np.full((size, size), background, np.uint8)
    draw(img, ink)
    if not rgba:
        return img
    out = np.zeros((size, size, 4), np.uint8)
    out[..., :3] = img[..., None]
    out[..., 3] = 255
    return out


def bar(img, ink):  # a vertical bar 160 tall, 40 wide, off-centre (rows 20..180, cols 200..240)
    img[20:180, 200:240] = ink


def test_a_known_shape_is_cropped_scaled_to_20_and_centred():
    result = prepare_digit(canvas(bar))
    assert result.ok and result.x.shape == (784,) and result.x.dtype == np.float32
    assert result.stages["cropped to the ink"].shape == (160, 40)
    assert result.stages["longer side 20 px"].shape == (20, 5)  # 160 -> 20 keeps 4:1
    digit = result.x.reshape(28, 28)
    rows, cols = np.nonzero(digit)
    assert (rows.min(), rows.max()) == (4, 23) and (cols.min(), cols.max()) == (12, 16)  # mass at 14, nearest 13.5
    assert digit.max() == pytest.approx(1.0)


def test_dark_ink_on_light_paper_gives_the_same_digit():
    light_on_dark = prepare_digit(canvas(bar)).x
    dark_on_light = prepare_digit(canvas(bar, ink=0, background=255, rgba=False)).x
    assert np.allclose(light_on_dark, dark_on_light)


def test_strokes_on_a_transparent_background_are_read_from_alpha():
    img = np.zeros((100, 100, 4), np.uint8)
    img[10:90, 45:55] = (0, 0, 0, 255)  # black ink, transparent elsewhere
    result = prepare_digit(img)
    assert result.ok and result.stages["cropped to the ink"].shape == (80, 10)


def test_area_averaging_preserves_mean_intensity():
    assert area_weights(5, 2).sum(axis=1) == pytest.approx([1, 1])
    img = np.random.default_rng(0).random((280, 120))
    assert resize_area(img, 20, 9).mean() == pytest.approx(img.mean(), rel=1e-9)
    assert resize_area(np.ones((4, 4)), 2, 2).tolist() == [[1, 1], [1, 1]]
    assert resize_area(np.eye(2), 1, 1).tolist() == [[0.5]]


def test_centre_of_mass_lands_at_the_centre():
    blob = np.zeros((20, 20))
    blob[15:20, 0:5] = 1  # mass near the bottom-left corner
    field = centre_in_field(blob)
    rows, cols = np.indices(field.shape)
    cy, cx = (rows * field).sum() / field.sum(), (cols * field).sum() / field.sum()
    assert abs(cy - 13.5) <= 4.5 and abs(cx - 13.5) <= 4.5  # as close as fitting the 20x20 box allows
    dot = np.ones((2, 2))
    field = centre_in_field(dot)
    assert np.argwhere(field).mean(axis=0).tolist() == [13.5, 13.5]


@pytest.mark.parametrize("draw, message", [
    (lambda img, ink: None, "Nothing drawn"),
    (lambda img, ink: img.__setitem__((slice(140, 141), slice(140, 141)), ink), "Nothing drawn"),
    (lambda img, ink: img.__setitem__((slice(130, 145), slice(130, 145)), ink), "only a dot"),
    (lambda img, ink: img.__setitem__((slice(10, 270), slice(5, 275)), ink), "scribble, not a digit"),
])
def test_empty_dot_or_scribbled_canvas_says_so_instead_of_inventing_a_digit(draw, message):
    result = prepare_digit(canvas(draw))
    assert not result.ok and message in result.message and result.x is None


def test_grey_conversion_handles_dtypes_and_channels():
    assert to_grey(np.array([[0, 65535]], np.uint16)).tolist() == [[0, 1]]
    assert to_grey(np.full((2, 2, 3), 255, np.uint8)) == pytest.approx(np.ones((2, 2)))
    assert to_grey(np.zeros((2, 2, 1))).shape == (2, 2)
    with pytest.raises(ValueError, match="expected a grey"):
        to_grey(np.zeros((2, 2, 5)))


def test_real_mnist_digits_are_still_read_right_after_preprocessing(mnist_test):
    from core.io import load_model
    from tests.test_weights import WEIGHTS
    network, _ = load_model(WEIGHTS / "fast.npz")
    X, y = mnist_test
    images = (X[:500].reshape(-1, 28, 28) * 255).astype(np.uint8)
    prepared = np.array([prepare_digit(img).x for img in images])
    assert network.accuracy(prepared, y[:500]) > 0.95  # MNIST is already in this form, so little changes


def test_a_stroke_along_one_edge_is_still_centred_like_any_drawing():
    result = prepare_digit(canvas(lambda img, ink: img.__setitem__((slice(0, 18), slice(20, 260)), ink)))
    assert result.ok
    rows, cols = np.nonzero(result.x.reshape(28, 28))
    assert abs(rows.mean() - 13.5) < 1 and abs(cols.mean() - 13.5) < 1  # moved from the edge to the centre


def test_a_photo_of_clothing_is_trimmed_scaled_to_28_and_centred_as_fashion_mnist():
    from core.data import load_dataset
    from core.preprocess import prepare_clothing
    images, _ = load_dataset("fashion-mnist", "test")
    trouser = images[2]  # label 1: a trouser, as Fashion-MNIST stores it (light on black)
    photo = 255 - np.kron(trouser, np.ones((5, 5), np.uint8))  # a 140x140 photo: dark item on a light background
    prepared = prepare_clothing(photo)
    assert prepared.ok and prepared.x.shape == (784,)
    item = prepared.x.reshape(28, 28)
    rows, cols = np.flatnonzero(item.max(1) > 0.1), np.flatnonzero(item.max(0) > 0.1)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 == 28  # the longer side fills the field
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 0.5  # centred across
    # back to the stored image, up to rounding and a pixel of centring (the dataset's own rule is not published)
    assert min(np.abs(np.roll(item, dx, axis=1) - trouser / 255).max() for dx in (-1, 0, 1)) < 0.1
    assert not prepare_clothing(np.full((50, 50), 255, np.uint8)).ok  # an empty photo says so
