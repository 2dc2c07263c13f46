"""Model files: a .npz holding W1, b1, ..., WL, bL (K1, b1, ... for convolutions) and a JSON metadata entry, loaded without pickle.

Loading trusts nothing: it reads every array's header before any data, refuses Python objects, sizes
that do not fit, shapes that do not chain 784 -> ... -> 10 (or do not match the recorded convolution
blocks), non-float dtypes and NaN or infinite values.
"""
import datetime
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

from core.data import DATASETS
from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.layer_stats import stats_from_record, weight_names
from core.nn.losses import OUTPUTS
from core.nn.network import Network
from core.nn.shapes import CLASSES, INPUTS

MAX_FILE_BYTES = 50 * 2**20   # on disk
MAX_ARRAY_BYTES = 200 * 2**20  # all arrays together, as their headers claim, before decompressing
META_KEY = "meta"
HEADER_READERS = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
PARAM_NAME = re.compile(r"([WKb])([1-9][0-9]?)")


class ModelFileError(ValueError):
    """The file is not a valid model; the message says what is wrong with it."""


def architecture_meta(network) -> dict:
    """What rebuilds the architecture: the layer sizes of a dense network, the blocks of a ConvNet."""
    if isinstance(network, ConvNet):
        return {"convs": [list(block) for block in network.convs], "hidden": list(network.hidden)}
    return {"sizes": network.sizes}


def save_model(target, network, metadata: dict | None = None):
    """Write the parameters and metadata (architecture, training settings, test accuracy, date) to a .npz."""
    meta = {"format": 1, **architecture_meta(network), "activation": network.activation, "output": network.output,
            "dtype": str(network.dtype), "saved": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            **(metadata or {})}
    np.savez_compressed(target, **network.params(), **{META_KEY: np.array(json.dumps(meta))})


def model_bytes(network, metadata: dict | None = None) -> bytes:
    """The .npz file as bytes, for a download button."""
    buffer = io.BytesIO()
    save_model(buffer, network, metadata)
    return buffer.getvalue()


def load_model(source) -> tuple:
    """Read and validate a model file (path, bytes or binary file object): returns (Network, metadata)."""
    raw = _read(source)
    if len(raw) > MAX_FILE_BYTES:
        raise ModelFileError(f"The file is {len(raw) / 2**20:.1f} MB; a model file may be at most "
                             f"{MAX_FILE_BYTES // 2**20} MB.")
    if not raw.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(raw)):
        raise ModelFileError("This is not a model file: a model is a .npz archive saved by this app or "
                             "`python -m core.train`.")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            arrays = _read_arrays(archive)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        if isinstance(err, ModelFileError):
            raise
        raise ModelFileError(f"The model file is damaged or truncated ({err}).") from None
    meta = _metadata(arrays.pop(META_KEY, None))
    if "convs" in meta:
        network = _conv_network(arrays, meta)
    else:
        network = Network(*_parameters(arrays), meta["activation"], meta["output"])
    names = weight_names(network)
    if "layer_stats" in meta and meta["layer_stats"]["layers"] != names:
        raise ModelFileError(f"The model's layer statistics name the layers {meta['layer_stats']['layers']}; "
                             f"its weights are {names}.")
    return network, meta


def _read(source) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ModelFileError(f"{path}: no such model file.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ModelFileError(f"{path.name}: larger than {MAX_FILE_BYTES // 2**20} MB, too big for a model file.")
        return path.read_bytes()
    return source.read(MAX_FILE_BYTES + 1)


def _read_arrays(archive: zipfile.ZipFile) -> dict:
    """Check every member's .npy header (name, dtype, claimed size) first, then read the data."""
    headers, claimed = {}, 0
    for info in archive.infolist():
        key = info.filename.removesuffix(".npy")
        if not info.filename.endswith(".npy") or not (key == META_KEY or PARAM_NAME.fullmatch(key)):
            raise ModelFileError(f"Unexpected entry {info.filename!r}: a model holds only W1, b1, ... (K1, ... for "
                                 "convolutions) and meta.")
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version not in HEADER_READERS:
                raise ModelFileError(f"{key} uses .npy format {version}, which this app does not read.")
            shape, _, dtype = HEADER_READERS[version](member)
        if dtype.hasobject:
            raise ModelFileError(f"{key} holds Python objects; model files may hold numbers only, "
                                 "and objects are never unpickled.")
        claimed += int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if claimed > MAX_ARRAY_BYTES:
            raise ModelFileError(f"{key} claims {claimed / 2**20:,.0f} MB of data; refused before decompressing "
                                 f"(the limit is {MAX_ARRAY_BYTES // 2**20} MB).")
        headers[key] = info
    arrays = {}
    for key, info in headers.items():
        with archive.open(info) as member:
            arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _metadata(entry) -> dict:
    if entry is None or entry.dtype.kind != "U" or entry.shape != ():
        raise ModelFileError("The model file has no readable metadata entry 'meta'.")
    try:
        meta = json.loads(str(entry))
    except json.JSONDecodeError:
        raise ModelFileError("The model's metadata is not valid JSON.") from None
    if not isinstance(meta, dict):
        raise ModelFileError("The model's metadata must be a JSON object.")
    if meta.get("activation") not in ACTIVATIONS or meta.get("output") not in OUTPUTS:
        raise ModelFileError(f"Unknown activation {meta.get('activation')!r} or output {meta.get('output')!r}; "
                             f"expected one of {sorted(ACTIVATIONS)} and one of {sorted(OUTPUTS)}.")
    meta.setdefault("dataset", "mnist")  # files from before Fashion-MNIST learned from MNIST
    if meta["dataset"] not in DATASETS:
        raise ModelFileError(f"The model learned from an unknown dataset {meta['dataset']!r}; "
                             f"this app knows {', '.join(DATASETS)}.")
    upload = meta.get("upload")  # the learner's own data it learned from (core.owndata.OwnData.record)
    if upload is not None and not (isinstance(upload, dict) and isinstance(upload.get("file"), str)
                                   and all(type(upload.get(n)) is int for n in ("rows", "test"))):
        raise ModelFileError("The model's record of the data it learned from ('upload') must name the file and "
                             "count its rows and held-out test images.")
    if "layer_stats" in meta:  # recorded since issue 18; older files have none
        try:
            stats_from_record(meta["layer_stats"])
        except ValueError as err:
            raise ModelFileError(f"The model's layer statistics ('layer_stats') are not valid: {err}.") from None
    return meta


def _parameters(arrays: dict) -> tuple:
    layers = max((int(key[1:]) for key in arrays), default=0)
    expected = {f"{kind}{l}" for l in range(1, layers + 1) for kind in "Wb"}
    if layers == 0 or set(arrays) != expected:
        raise ModelFileError(f"Expected parameters W1, b1, ..., W{max(layers, 1)}, b{max(layers, 1)}; "
                             f"found {', '.join(sorted(arrays)) or 'none'}.")
    weights = [arrays[f"W{l}"] for l in range(1, layers + 1)]
    biases = [arrays[f"b{l}"] for l in range(1, layers + 1)]
    width = INPUTS
    for l, (W, b) in enumerate(zip(weights, biases), start=1):
        if W.ndim != 2 or b.ndim != 1 or W.shape[0] != width or b.shape != (W.shape[1],):
            raise ModelFileError(f"Layer {l} has W{l} {W.shape} and b{l} {b.shape}; the layers must chain "
                                 f"784 -> ... -> 10, so W{l} should have {width} rows and b{l} one value per column.")
        width = W.shape[1]
    if width != CLASSES:
        raise ModelFileError(f"The last layer has {width} outputs; a digit classifier needs 10.")
    _check_numbers(arrays)
    return weights, biases


def _check_numbers(arrays: dict):
    """Every parameter float32, or every one float64 (one precision for the whole network), and finite."""
    names_of = {}
    for name, a in arrays.items():
        names_of.setdefault(str(a.dtype), []).append(name)
    if len(names_of) != 1 or next(iter(names_of)) not in ("float32", "float64"):
        listed = ", ".join(f"{dtype} ({' '.join(sorted(names))})" for dtype, names in sorted(names_of.items()))
        raise ModelFileError(f"The model's arrays are {listed}; a model holds all float32 or all float64.")
    for name, a in arrays.items():
        if not np.isfinite(a).all():
            raise ModelFileError(f"{name} contains NaN or infinite values.")


def _conv_network(arrays: dict, meta: dict) -> ConvNet:
    """Check the arrays against the recorded convolution blocks and dense layers (before building anything)."""
    try:
        convs = tuple((int(f), int(k), str(p)) for f, k, p in meta["convs"])
        hidden = tuple(int(n) for n in meta.get("hidden", ()))
        expected = ConvNet.parameter_shapes(convs, hidden)
    except (TypeError, ValueError, KeyError) as err:
        raise ModelFileError(f"The model's convolution blocks {meta.get('convs')!r} are not valid ({err}).") from None
    if set(arrays) != set(expected):
        raise ModelFileError(f"Expected parameters {', '.join(expected)} for these blocks; "
                             f"found {', '.join(sorted(arrays)) or 'none'}.")
    for name, shape in expected.items():
        if arrays[name].shape != shape:
            raise ModelFileError(f"{name} has shape {arrays[name].shape}; the recorded blocks need {shape}.")
    _check_numbers(arrays)
    return ConvNet.from_arrays(convs, hidden, arrays, meta["activation"], meta["output"])
