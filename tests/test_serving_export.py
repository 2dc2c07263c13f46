"""The ONNX export, run in a second runtime (ONNX Runtime): it must give core's predictions and probabilities."""
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from core.data import load_dataset, to_inputs
from core.io import load_model, model_bytes
from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.losses import OUTPUTS
from core.nn.network import Network
from serving.bundle import predictor_zip
from serving.export import INPUT, OPSET, OUTPUT, onnx_file, onnx_model

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in (ROOT / "weights").glob("*.npz"))
TOLERANCE = 1e-5  # |Δp| allowed between ONNX Runtime and core: float32 sums in another order


@pytest.fixture(scope="module")
def test_sets():
    """The 10,000 test images of each dataset as rows (N, 784), loaded once."""
    return {name: to_inputs(load_dataset(name, "test")[0]) for name in ("mnist", "fashion-mnist")}


def run_onnx(model: onnx.ModelProto, X) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([OUTPUT], {INPUT: X.astype(np.float32)})[0]


def assert_same_as_core(network, model, X):
    P_onnx, P_core = run_onnx(model, X), network.predict_proba(X)
    assert P_onnx.shape == P_core.shape == (len(X), 10)
    assert np.array_equal(P_onnx.argmax(axis=1), P_core.argmax(axis=1))
    assert np.abs(P_onnx - P_core).max() < TOLERANCE


def with_random_biases(network, seed=1):
    """Fresh models have zero biases, which would hide a bias added wrongly (or not at all)."""
    rng = np.random.default_rng(seed)
    for name, p in network.params().items():
        if name.startswith("b"):
            p[...] = rng.normal(0, 0.3, p.shape)
    return network


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_model_gives_cores_predictions_on_all_10000_test_images_in_onnx_runtime(name, test_sets):
    network, meta = load_model(ROOT / "weights" / name)
    model = onnx_model(network, meta, name.removesuffix(".npz"))
    assert_same_as_core(network, model, test_sets[meta["dataset"]])
    props = {p.key: p.value for p in model.metadata_props}
    assert props["name"] == name.removesuffix(".npz") and props["dataset"] == meta["dataset"]
    assert props["test_accuracy"] == f"{meta['test_accuracy']:.4f}"
    assert [i.name for i in model.graph.input] == [INPUT] and [o.name for o in model.graph.output] == [OUTPUT]
    assert model.opset_import[0].version == OPSET


@pytest.mark.parametrize("output", sorted(OUTPUTS))
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_new_dense_model_with_each_activation_and_output_runs_the_same_in_onnx(activation, output, test_sets):
    network = with_random_biases(Network.create(hidden=(13, 7), activation=activation, output=output, seed=3))
    model = onnx_model(network, {"dataset": "mnist"}, "new")
    X = np.vstack([test_sets["mnist"][:300], np.random.default_rng(0).random((50, 784), np.float32)])
    assert_same_as_core(network, model, X)
    operators = [node.op_type for node in model.graph.node]
    assert operators.count("MatMul") == 3 and operators[-1] == {"softmax": "Softmax", "sigmoid": "Sigmoid"}[output]


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_a_cnn_with_odd_sizes_runs_the_same_in_onnx(activation, test_sets):
    """An even kernel with 'same' padding (one zero more after than before), a pooling that drops an odd row
    (28 -> 28 -> 14 -> 11 -> 5) and several channels, so any mix-up of NHWC and NCHW changes the numbers."""
    network = with_random_biases(ConvNet.create(((3, 4, "same"), (5, 4, "valid")), hidden=(11,),
                                                activation=activation, seed=2))
    assert [shape for _, shape in network.layer_shapes()][:6] == [(28, 28, 3), (28, 28, 3), (14, 14, 3),
                                                                  (11, 11, 5), (11, 11, 5), (5, 5, 5)]
    assert_same_as_core(network, onnx_model(network, {"dataset": "mnist"}, "odd"), test_sets["mnist"][:500])


def test_the_downloads_hold_the_onnx_model_and_the_predictor_beside_the_model_file(test_sets):
    network = with_random_biases(Network.create(hidden=(20,), seed=5))
    file = model_bytes(network, {"test_accuracy": 0.5})
    model = onnx.load_from_string(onnx_file(file, "my model"))
    assert_same_as_core(network, model, test_sets["mnist"][:200])
    assert {p.key: p.value for p in model.metadata_props}["name"] == "my model"
    with zipfile.ZipFile(io.BytesIO(predictor_zip(file, "my-model"))) as archive:
        assert sorted(archive.namelist()) == ["my-model/model.npz", "my-model/predict.py"]
        assert archive.read("my-model/predict.py") == (ROOT / "serving" / "standalone_predict.py").read_bytes()
        assert archive.read("my-model/model.npz") == file


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "serving.export", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_the_command_line_writes_a_model_that_onnx_runtime_runs_and_checks_it(tmp_path, test_sets):
    result = run_cli(ROOT / "weights" / "lenet.npz", tmp_path / "lenet.onnx")
    assert result.returncode == 0, result.stderr
    assert f"wrote {tmp_path / 'lenet.onnx'}" in result.stdout and "conv 6@5×5 same" in result.stdout
    assert "gives core's prediction for 1,000 of 1,000 mnist test images" in result.stdout
    network, _ = load_model(ROOT / "weights" / "lenet.npz")
    assert_same_as_core(network, onnx.load(tmp_path / "lenet.onnx"), test_sets["mnist"][:300])


@pytest.mark.parametrize("make_bad", [lambda path: path.write_text("not a model"), lambda path: None],
                         ids=["not-a-model", "missing"])
def test_the_command_line_refuses_a_bad_file_with_a_message_and_exit_code_2(tmp_path, make_bad):
    make_bad(tmp_path / "bad.npz")
    result = run_cli(tmp_path / "bad.npz", tmp_path / "out.onnx")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert ("not a model file" in result.stderr) or ("no such model file" in result.stderr)
    assert not (tmp_path / "out.onnx").exists()
