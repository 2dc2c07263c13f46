"""core.perturb: each way of spoiling a digit against a case worked by hand."""
import numpy as np
import pytest

from core import perturb
from core.evaluate import shift_images


@pytest.fixture
def images():
    return np.random.default_rng(0).random((3, 28, 28))


def test_a_quarter_turn_is_numpys_rot90(images):
    assert np.array_equal(perturb.rotate(images, 90), np.rot90(images, axes=(1, 2)))
    assert np.array_equal(perturb.rotate(images, 0), images)


def test_rotation_takes_one_angle_per_image(images):
    turned = perturb.rotate(images, [0, 90, 180])
    assert np.array_equal(turned[1], np.rot90(images[1]))
    assert np.allclose(turned[2], np.rot90(images[2], 2))


def test_half_a_pixel_of_rotation_blends_neighbours_bilinearly():
    # read at (0.5, 0) between a 1 and a 0: the bilinear weights are 0.5 and 0.5
    image = np.zeros((1, 2, 2))
    image[0, 0, 0] = 1
    assert perturb.bilinear(image, np.array([[[0.5]]]), np.array([[[0.0]]]))[0, 0, 0] == 0.5


def test_thickening_a_single_pixel_by_one_makes_a_three_by_three_square():
    dot = np.zeros((1, 28, 28))
    dot[0, 10, 10] = 0.8
    thick = perturb.thicken(dot, 1)
    expected = np.zeros((28, 28))
    expected[9:12, 9:12] = 0.8
    assert np.array_equal(thick[0], expected)
    assert np.array_equal(perturb.thicken(thick, -1), dot)  # erosion by the same square takes it back
    assert np.array_equal(perturb.thicken(dot, 2)[0] > 0, np.pad(np.ones((5, 5)), ((8, 15), (8, 15))) > 0)


def test_occlusion_zeroes_exactly_that_square(images):
    covered = perturb.occlude(images, 5, 3, 20)
    hidden = np.zeros((28, 28), bool)
    hidden[3:8, 20:25] = True
    assert (covered[:, hidden] == 0).all()
    assert np.array_equal(covered[:, ~hidden], images[:, ~hidden])
    assert np.array_equal(perturb.occlude(images, 5, 26, 26)[:, 26:, 26:], np.zeros((3, 2, 2)))  # cut at the edge


def test_noise_of_zero_sigma_changes_nothing_and_a_seed_repeats_it(images):
    assert np.array_equal(perturb.add_noise(images, 0.0, 1), images)
    noisy = perturb.add_noise(images, 0.3, 7)
    assert np.array_equal(noisy, perturb.add_noise(images, 0.3, 7))
    assert noisy.min() >= 0 and noisy.max() <= 1  # clipped
    dark = np.full((200, 28, 28), 0.5)
    assert abs(np.std(perturb.add_noise(dark, 0.1, 0) - dark) - 0.1) < 0.005  # σ in pixel units


def test_the_shift_is_evaluates_own():
    assert perturb.shift is shift_images


def test_augmentation_draws_shift_angle_and_stroke_from_the_generator_in_order(images):
    rng = np.random.default_rng(3)
    moves = rng.integers(-2, 3, (3, 2))
    angles = rng.uniform(-12, 12, 3)
    strokes = rng.integers(-1, 2, 3)
    expected = np.stack([shift_images(perturb.thicken(perturb.rotate(images[i:i + 1], angles[i]), strokes[i]),
                                      *moves[i])[0] for i in range(3)])
    assert np.allclose(perturb.augment(images, np.random.default_rng(3)), expected)
    rows = images.reshape(3, 784).astype(np.float32)
    assert np.allclose(perturb.augment_rows(rows, np.random.default_rng(3)), expected.reshape(3, 784), atol=1e-6)


def test_each_curve_point_is_the_accuracy_on_the_perturbed_test_digits():
    from core.data import load_mnist, to_inputs
    from core.evaluate import accuracy_under_shift
    from core.io import load_model
    from tests.test_weights import WEIGHTS
    network, _ = load_model(WEIGHTS / "fast.npz")
    images, labels = load_mnist("test")
    images, labels = images[:200], labels[:200]
    pixels = images / 255
    rotation = perturb.accuracy_under(network, images, labels, "rotation")
    by_hand = [np.mean([network.accuracy(to_inputs(perturb.rotate(pixels, a) * 255), labels) for a in (s, -s)])
               for s in perturb.CURVES["rotation"][1]]
    assert np.allclose(rotation, by_hand, atol=0.006)  # float32 against float64 pixels: at most one digit of 200
    assert perturb.accuracy_under(network, images, labels, "shift") == accuracy_under_shift(network, images, labels)
    occluded = perturb.accuracy_under(network, images, labels, "occlusion")
    assert occluded[0] == network.accuracy(to_inputs(images), labels) > occluded[-1]
    assert perturb.accuracy_under(network, images, labels, "thickness")[2] == occluded[0]  # k = 0 changes nothing
