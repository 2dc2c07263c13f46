import shutil
from pathlib import Path

import numpy as np
import pytest

from core.data import load_dataset, to_inputs
from core.evaluate import ModelResults
from core.io import load_model

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
RESULTS = WEIGHTS / "results"
SHIPPED = sorted(p.name for p in WEIGHTS.glob("*.npz"))


def test_the_promised_models_ship():
    assert {"fast.npz", "tutorial-10-10.npz", "sigmoid-16-16-mse.npz"} <= set(SHIPPED)


@pytest.fixture(scope="module")
def test_sets():
    return {}


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_model_keeps_its_stated_accuracy_and_ships_the_results_core_computes_now(name, test_sets):
    network, meta = load_model(WEIGHTS / name)
    if meta["dataset"] not in test_sets:
        test_sets[meta["dataset"]] = load_dataset(meta["dataset"], "test")
    images, labels = test_sets[meta["dataset"]]
    now = ModelResults.measure(network, images, labels)
    measured = float(np.mean(now.predicted == labels))
    assert measured == pytest.approx(meta["test_accuracy"], abs=5e-5)
    shipped = ModelResults.load(RESULTS / name, WEIGHTS / name)         # None if missing or made for other weights
    assert shipped is not None, f"weights/results/{name} is missing or stale: run bash weights/make_all.sh"
    assert np.array_equal(shipped.predicted, now.predicted)
    assert np.allclose(shipped.confidence, now.confidence, rtol=1e-5, atol=1e-6)  # BLAS may round differently
    assert shipped.shift_accuracy == now.shift_accuracy
    assert meta["command"].startswith(f"python -m core.train --preset {meta['preset']}")
    assert f"| `{name}` |" in (WEIGHTS / "README.md").read_text()
    assert f"{meta['test_accuracy']:.4f}" in (WEIGHTS / "README.md").read_text()


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_model_records_its_training_curve(name):
    _, meta = load_model(WEIGHTS / name)
    history = meta["history"]
    assert history["epoch"] == [float(e) for e in range(1, meta["config"]["epochs"] + 1)]
    assert all(len(values) == len(history["epoch"]) for values in history.values())
    assert history["elapsed"][-1] == pytest.approx(meta["train_seconds"], abs=0.01)
    assert 0 < history["val_accuracy"][-1] <= 1 and history["train_loss"][-1] < history["train_loss"][0]


def test_results_made_for_other_weights_are_not_used(tmp_path):
    shutil.copy(WEIGHTS / "fast.npz", tmp_path / "fast.npz")
    assert ModelResults.load(RESULTS / "fast.npz", tmp_path / "fast.npz") is not None
    shutil.copy(WEIGHTS / "nielsen-30.npz", tmp_path / "fast.npz")     # the model file changed, its results did not
    assert ModelResults.load(RESULTS / "fast.npz", tmp_path / "fast.npz") is None
    assert ModelResults.load(tmp_path / "none.npz", tmp_path / "fast.npz") is None


def test_the_best_shipped_model_reaches_98_percent(mnist_test):
    network, _ = load_model(WEIGHTS / "fast.npz")
    assert network.accuracy(*mnist_test) >= 0.98


def test_the_shipped_convolutional_networks_reach_99_percent(mnist_test):
    for name in ("lenet.npz", "cnn-99.npz"):
        network, meta = load_model(WEIGHTS / name)
        assert meta["convs"] and meta["config"]["seed"] == 0
        assert network.accuracy(*mnist_test) >= 0.99, name


def test_the_fashion_models_reach_their_targets():
    """Published: scikit-learn's MLP about 87-88 %, small CNNs 91-93 % (data/fashion-mnist/README.md)."""
    images, labels = load_dataset("fashion-mnist", "test")
    for name, target in (("fashion-fast.npz", 0.88), ("fashion-cnn.npz", 0.905)):
        network, meta = load_model(WEIGHTS / name)
        assert meta["dataset"] == "fashion-mnist"
        assert network.accuracy(to_inputs(images), labels) >= target, name
