"""The standalone predictor (serving/standalone_predict.py, downloaded as predict.py): a copy of core's preprocessing
and forward pass that travels alone, so these tests pin it to core, and run it where only NumPy and Pillow exist."""
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import PIL
import pytest
from PIL import Image

from core.data import DATASETS, load_dataset, to_inputs
from core.io import load_model, save_model
from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.losses import OUTPUTS
from core.nn.network import Network
from core.preprocess import prepare_clothing, prepare_digit
from serving import standalone_predict as standalone
from serving.bundle import predictor_zip

ROOT = Path(__file__).resolve().parent.parent
WEIGHTS = ROOT / "weights"
SHIPPED = sorted(p.name for p in WEIGHTS.glob("*.npz"))


def strokes(seed: int, size: int = 280) -> np.ndarray:
    """A made-up digit: a thick polyline through 3-5 random points, light (1.0) on black (0.0).  (size, size)"""
    rng = np.random.default_rng(seed)
    rows, cols = np.indices((size, size))
    points = rng.uniform(0.2 * size, 0.8 * size, (rng.integers(3, 6), 2))
    radius, img = rng.uniform(0.02, 0.06) * size, np.zeros((size, size))
    for a, b in zip(points[:-1], points[1:]):
        for t in np.linspace(0, 1, 30):
            y, x = a + t * (b - a)
            img[(rows - y) ** 2 + (cols - x) ** 2 <= radius ** 2] = 1.0
    return img


def drawn_like(seed: int) -> np.ndarray:
    """The kinds of pictures the Draw page gets: the canvas's RGBA, a photo of dark ink on paper, strokes on a
    transparent background, 16-bit grey, floats, a small off-square upload."""
    ink = strokes(seed)
    kind = seed % 6
    if kind == 0:      # the canvas: white ink on black, opaque
        grey = (ink * 255).astype(np.uint8)
        return np.dstack([grey, grey, grey, np.full(ink.shape, 255, np.uint8)])
    if kind == 1:      # dark ink on light, noisy paper
        paper = 0.95 - 0.8 * ink + np.random.default_rng(seed).normal(0, 0.02, ink.shape)
        return (255 * np.clip(paper, 0, 1)).astype(np.uint8)
    if kind == 2:      # black strokes, transparent elsewhere
        return np.dstack([np.zeros(ink.shape + (3,), np.uint8), (ink * 255).astype(np.uint8)])
    if kind == 3:
        return (ink * 65535).astype(np.uint16)
    if kind == 4:
        return ink * np.linspace(0.5, 1, ink.shape[1])  # floats, ink fading left to right
    return ink[::5, ::7]                                 # 56 x 40


@pytest.mark.parametrize("seed", range(24))
def test_drawn_like_pictures_are_prepared_exactly_as_core_prepares_them(seed):
    picture = drawn_like(seed)
    expected = prepare_digit(picture)
    assert expected.ok, expected.message
    assert np.array_equal(standalone.prepare_digit(picture), expected.x)


def test_test_images_of_both_datasets_are_prepared_exactly_as_on_the_draw_page():
    digits, _ = load_dataset("mnist", "test")
    clothes, _ = load_dataset("fashion-mnist", "test")
    for image in digits[:300]:
        assert np.array_equal(standalone.prepare_digit(image), prepare_digit(image).x)
    for image in clothes[:300]:
        assert np.array_equal(standalone.prepare_clothing(image), prepare_clothing(image).x)


@pytest.mark.parametrize("region", [None, (slice(140, 141), slice(140, 141)), (slice(130, 145), slice(130, 145)),
                                    (slice(10, 270), slice(5, 275))], ids=["empty", "speck", "dot", "scribble"])
def test_what_core_refuses_to_read_the_predictor_refuses_too(region):
    picture = np.zeros((280, 280), np.uint8)
    if region:
        picture[region] = 255
    assert not prepare_digit(picture).ok
    with pytest.raises(standalone.NotAPicture):
        standalone.prepare_digit(picture)


@pytest.mark.parametrize("name", SHIPPED)
def test_the_forward_pass_gives_cores_probabilities_for_every_shipped_model(name):
    network, meta = load_model(WEIGHTS / name)
    model = standalone.load_model(WEIGHTS / name)
    X = to_inputs(load_dataset(meta["dataset"], "test")[0][:1000])
    batch = network.PREDICT_BATCH  # core's batches: float32 sums over other row counts differ by ~1e-6 (BLAS)
    P = np.concatenate([standalone.predict_proba(model, X[i:i + batch]) for i in range(0, len(X), batch)])
    P_core = network.predict_proba(X)
    assert np.array_equal(P.argmax(axis=1), P_core.argmax(axis=1))
    assert np.abs(P - P_core).max() < 1e-6
    assert model["classes"] == DATASETS[meta["dataset"]].classes


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_new_models_with_every_activation_output_and_an_even_kernel_give_cores_probabilities(activation, tmp_path):
    """Shipped models use 5×5 kernels and two activations: these use the rest ('same' padding of a 4×4 kernel puts
    the odd zero after; the pooling drops an odd row) with random biases."""
    rng, X = np.random.default_rng(4), to_inputs(load_dataset("mnist", "test")[0][:250])
    for output in OUTPUTS:
        for network in (Network.create(hidden=(12, 9), activation=activation, output=output, seed=1),
                        ConvNet.create(((3, 4, "same"), (5, 4, "valid")), (7,), activation, output, seed=1)):
            for name, p in network.params().items():
                p += rng.normal(0, 0.3, p.shape).astype(p.dtype) if name.startswith("b") else 0
            save_model(tmp_path / "new.npz", network)
            P = standalone.predict_proba(standalone.load_model(tmp_path / "new.npz"), X)
            assert np.abs(P - network.predict_proba(X)).max() < 1e-6, (network.architecture, output)


@pytest.mark.parametrize("name", ["cnn-99.npz", "nielsen-30.npz"])
def test_a_drawing_gets_cores_prediction_end_to_end(name):
    network, _ = load_model(WEIGHTS / name)
    model = standalone.load_model(WEIGHTS / name)
    for seed in range(12):
        picture = drawn_like(seed)
        label, p = standalone.predict(model, picture)
        p_core = network.predict_proba(prepare_digit(picture).x[None, :])[0]
        assert label == int(p_core.argmax()) and np.abs(p - p_core).max() < 1e-6


# In a clean Python that has NumPy and Pillow and nothing else, as the download's user has.

@pytest.fixture(scope="module")
def clean_python(tmp_path_factory) -> Path:
    """A venv without pip, given only NumPy and Pillow by linking them (and their bundled libraries) from ours."""
    venv = tmp_path_factory.mktemp("clean-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    for package in (np, PIL):
        folder = Path(package.__file__).parent
        for source in [folder, *folder.parent.glob(f"{folder.name.lower()}*.libs")]:  # numpy.libs, pillow.libs
            (site / source.name).symlink_to(source)
    return python


def run(python, *args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")} | {"PYTHONNOUSERSITE": "1"}
    return subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_clean_python_has_numpy_and_pillow_and_nothing_of_the_app(clean_python, tmp_path):
    assert run(clean_python, "-c", "import numpy, PIL.Image", cwd=tmp_path).returncode == 0
    for module in ("streamlit", "core", "serving", "onnx", "scipy"):
        assert run(clean_python, "-c", f"import {module}", cwd=tmp_path).returncode != 0, module


@pytest.mark.parametrize("name", ["cnn-99", "fashion-fast"])
def test_the_downloaded_predictor_reads_an_array_and_a_png_as_core_does(clean_python, tmp_path, name):
    with zipfile.ZipFile(io.BytesIO(predictor_zip((WEIGHTS / f"{name}.npz").read_bytes(), name))) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / name
    network, meta = load_model(WEIGHTS / f"{name}.npz")
    prepare = prepare_digit if meta["dataset"] == "mnist" else prepare_clothing
    test_image = load_dataset(meta["dataset"], "test")[0][7]                 # (28, 28) uint8
    np.save(folder / "test.npy", test_image)
    Image.fromarray((255 - 255 * strokes(3)).astype(np.uint8)).save(folder / "photo.png")  # dark on white, 280 px
    answers = {}
    for picture, array in (("test.npy", test_image), ("photo.png", np.asarray(Image.open(folder / "photo.png")))):
        result = run(clean_python, "predict.py", picture, "--json", cwd=folder)
        assert result.returncode == 0, result.stderr
        printed = json.loads(result.stdout)
        p_core = network.predict_proba(prepare(array).x[None, :])[0]
        assert printed["prediction"] == int(p_core.argmax())
        assert np.abs(np.array(printed["probabilities"]) - p_core).max() < 1e-6
        answers[picture] = printed["class"]
    assert answers["test.npy"] == DATASETS[meta["dataset"]].classes[meta_label(meta["dataset"], 7)]  # read right
    readable = run(clean_python, "predict.py", "test.npy", cwd=folder).stdout.splitlines()
    assert readable[0].startswith(f"{answers['test.npy']}  (") and len(readable) == 11
    missing = run(clean_python, "predict.py", "none.png", cwd=folder)
    assert missing.returncode == 2 and missing.stderr.startswith("error: none.png")
    assert "Traceback" not in missing.stderr


def meta_label(dataset: str, index: int) -> int:
    return int(load_dataset(dataset, "test")[1][index])
