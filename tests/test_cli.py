import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.io import load_model, save_model
from core.nn.cnn import ConvNet

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "weights").glob("*.npz"))


def run(*args):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_help_lists_the_presets_with_their_published_figures_or_our_targets():
    out = run("-m", "core.train", "--help").stdout
    assert "fast" in out and "our target 98%" in out and "tutorial-10-10" in out and "published 85%" in out


def test_train_one_epoch_saves_a_model_that_evaluate_scores_the_same(tmp_path):
    model = tmp_path / "m.npz"
    train = run("-m", "core.train", "--preset", "fast", "--epochs", "1", "--seed", "3", "--out", str(model))
    assert train.returncode == 0, train.stderr
    last = train.stdout.strip().splitlines()[-1]
    assert last.startswith("test_accuracy=0.") and len(last) == len("test_accuracy=0.XXXX")
    assert float(last.split("=")[1]) > 0.95
    assert "epoch  1.00/1" in train.stderr and "val acc" in train.stderr
    evaluate = run("-m", "core.evaluate", str(model))
    assert evaluate.stdout.strip().splitlines()[-1] == last


def test_evaluate_explains_a_bad_file(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_text("not a model")
    result = run("-m", "core.evaluate", str(bad))
    assert result.returncode == 1 and "not a model file" in result.stderr and "Traceback" not in result.stderr


def test_every_model_kind_ships_and_is_evaluated_below():
    kinds = {type(load_model(path)[0]).__name__ for path in SHIPPED}
    assert kinds == {"Network", "ConvNet"} and len(SHIPPED) >= 7


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_model_evaluates_from_the_command_line_to_its_recorded_accuracy(path):
    result = run("-m", "core.evaluate", str(path.relative_to(ROOT)))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    _, meta = load_model(path)
    assert result.stdout.strip().splitlines()[-1] == f"test_accuracy={meta['test_accuracy']:.4f}"


def test_a_new_convnet_with_a_sigmoid_output_evaluates_from_the_command_line(tmp_path, mnist_test):
    network = ConvNet.create(((3, 3, "valid"),), hidden=(5,), output="sigmoid", seed=2)
    save_model(tmp_path / "cnn.npz", network)
    result = run("-m", "core.evaluate", str(tmp_path / "cnn.npz"))
    assert result.returncode == 0, result.stderr
    assert "conv 3@3×3 valid" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == f"test_accuracy={network.accuracy(*mnist_test):.4f}"


def test_train_and_evaluate_on_fashion_mnist(tmp_path):
    model = tmp_path / "clothes.npz"
    train = run("-m", "core.train", "--preset", "fast", "--dataset", "fashion-mnist", "--epochs", "1", "--out", str(model))
    assert train.returncode == 0, train.stderr
    last = train.stdout.strip().splitlines()[-1]
    assert 0.80 < float(last.removeprefix("test_accuracy=")) < 0.95  # clothes are harder than digits
    _, meta = load_model(model)
    assert meta["dataset"] == "fashion-mnist" and "--dataset fashion-mnist" in meta["command"]
    evaluate = run("-m", "core.evaluate", str(model))
    assert "Fashion-MNIST" in evaluate.stdout and evaluate.stdout.strip().splitlines()[-1] == last
