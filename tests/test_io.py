import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from core.io import ModelFileError, load_model, model_bytes, save_model
from core.nn.network import Network


def npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def meta(**changes):
    return np.array(json.dumps({"activation": "relu", "output": "softmax", **changes}))


def valid_arrays():
    net = Network.create((3,))
    return {**net.params(), "meta": meta()}


def test_model_round_trip_keeps_parameters_and_metadata(tmp_path):
    net = Network.create((16, 8), "tanh", "sigmoid", seed=4)
    save_model(tmp_path / "m.npz", net, {"test_accuracy": 0.91, "preset": "x"})
    loaded, info = load_model(tmp_path / "m.npz")
    assert loaded.sizes == [784, 16, 8, 10] and loaded.activation == "tanh" and loaded.output == "sigmoid"
    assert all(np.array_equal(a, b) for a, b in zip(net.weights + net.biases, loaded.weights + loaded.biases))
    assert info["test_accuracy"] == 0.91 and info["sizes"] == [784, 16, 8, 10] and "saved" in info
    assert load_model(model_bytes(net))[0].sizes == net.sizes
    assert load_model(io.BytesIO(model_bytes(net)))[0].sizes == net.sizes


class Boom:
    def __reduce__(self):
        return (os.system, ("touch pwned",))


def test_a_model_records_its_dataset_and_older_files_learned_from_mnist():
    assert load_model(npz(**valid_arrays()))[1]["dataset"] == "mnist"  # no "dataset" in its metadata
    assert load_model(model_bytes(Network.create((3,)), {"dataset": "fashion-mnist"}))[1]["dataset"] == "fashion-mnist"


def test_a_pickled_object_is_refused_and_never_unpickled(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    arrays = valid_arrays()
    arrays["W1"] = np.array([Boom()], dtype=object)
    with pytest.raises(ModelFileError, match="Python objects"):
        load_model(npz(**arrays))
    assert not (tmp_path / "pwned").exists()
    raw_pickle = pickle.dumps({"W1": Boom()})
    with pytest.raises(ModelFileError, match="not a model file"):
        load_model(raw_pickle)
    assert not (tmp_path / "pwned").exists()


def zip_bomb_header() -> bytes:
    """A .npy whose header claims 100,000 x 100,000 float64 (80 GB) but holds no data."""
    buffer = io.BytesIO()
    header = {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)}
    np.lib.format.write_array_header_1_0(buffer, header)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("W1.npy", buffer.getvalue())
    return out.getvalue()


@pytest.mark.parametrize("raw, message", [
    (b"", "not a model file"),
    (b"hello, I am a text file", "not a model file"),
    (model_bytes(Network.create((3,)))[:300], "not a model file|damaged or truncated"),
    (zip_bomb_header(), "claims 76,294 MB.*refused before decompressing"),
    (npz(W1=np.zeros((784, 3), np.float32), b1=np.zeros(3, np.float32)), "no readable metadata"),
    (npz(**{**valid_arrays(), "meta": np.array("{not json")}), "not valid JSON"),
    (npz(**{**valid_arrays(), "meta": meta(activation="swish")}), "Unknown activation"),
    (npz(**{**valid_arrays(), "extra": np.zeros(2)}), "Unexpected entry 'extra.npy'"),
    (npz(**{**valid_arrays(), "meta": meta(dataset="cifar")}), "unknown dataset 'cifar'; this app knows mnist"),
    (npz(**{k: v for k, v in valid_arrays().items() if k != "b2"}), "Expected parameters W1, b1, ..., W2, b2"),
    (npz(**{**valid_arrays(), "W1": np.zeros((700, 3), np.float32)}), "must chain 784"),
    (npz(**{**valid_arrays(), "W2": np.zeros((3, 9), np.float32), "b2": np.zeros(9, np.float32)}), "needs 10"),
    (npz(**{**valid_arrays(), "b1": np.zeros(4, np.float32)}), "b1 \\(4,\\).*b1 one value per column"),
    (npz(**{**valid_arrays(), "b2": np.zeros(3, np.float32)}), "b2 \\(3,\\).*b2 one value per column"),
    (npz(**{**valid_arrays(), "b1": np.zeros((1, 3), np.float32)}), "b1 \\(1, 3\\)"),
    (npz(**{**valid_arrays(), "W1": np.zeros((784, 3), np.int32)}), r"int32 \(W1\); a model holds all float32 or all float64"),
    (npz(**{**valid_arrays(), "b1": np.zeros(3, np.float64)}), r"float32 \(W1 W2 b2\), float64 \(b1\)"),
    (npz(**{**valid_arrays(), "W2": np.zeros((3, 10), np.float64), "b2": np.zeros(10, np.float64)}),
     r"float32 \(W1 b1\), float64 \(W2 b2\); a model holds all float32 or all float64"),
    (npz(**{**valid_arrays(), "b1": np.array([0, np.nan, 0], np.float32)}), "b1 contains NaN or infinite"),
    (npz(**{**valid_arrays(), "W2": np.full((3, 10), np.inf, np.float32)}), "W2 contains NaN or infinite"),
])
def test_bad_model_files_are_rejected_with_a_clear_message(raw, message):
    with pytest.raises(ModelFileError, match=message):
        load_model(raw)


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    import core.io
    monkeypatch.setattr(core.io, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.npz"
    big.write_bytes(b"PK" + b"\0" * 2000)
    with pytest.raises(ModelFileError, match="larger than"):
        load_model(big)
    with pytest.raises(ModelFileError, match="at most"):
        load_model(b"PK" + b"\0" * 2000)


def test_missing_file():
    with pytest.raises(ModelFileError, match="no such model file"):
        load_model("does/not/exist.npz")
