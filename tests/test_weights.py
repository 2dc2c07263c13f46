from pathlib import Path

import pytest

from core.data import load_dataset, to_inputs
from core.io import load_model

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
SHIPPED = sorted(p.name for p in WEIGHTS.glob("*.npz"))


def test_the_promised_models_ship():
    assert {"fast.npz", "tutorial-10-10.npz", "sigmoid-16-16-mse.npz"} <= set(SHIPPED)


@pytest.fixture(scope="module")
def test_sets():
    return {}


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_model_keeps_its_stated_accuracy_on_the_full_test_set(name, test_sets):
    network, meta = load_model(WEIGHTS / name)
    if meta["dataset"] not in test_sets:
        images, labels = load_dataset(meta["dataset"], "test")
        test_sets[meta["dataset"]] = to_inputs(images), labels
    measured = network.accuracy(*test_sets[meta["dataset"]])
    assert measured == pytest.approx(meta["test_accuracy"], abs=5e-5)
    assert meta["command"].startswith(f"python -m core.train --preset {meta['preset']}")
    assert f"| `{name}` |" in (WEIGHTS / "README.md").read_text()
    assert f"{meta['test_accuracy']:.4f}" in (WEIGHTS / "README.md").read_text()


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
