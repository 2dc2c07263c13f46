"""Training on the learner's own data: a Kaggle CSV or an IDX pair read, checked, limited, fingerprinted and split."""
import gzip
import hashlib
import re
import struct

import numpy as np
import pytest

from core import owndata
from core.data import DataError
from core.owndata import read_upload
from core.presets import TrainConfig


def csv_bytes(images, labels, header=True) -> bytes:
    """Kaggle's train.csv layout: `label,pixel0,...,pixel783`, a line per image."""
    lines = [",".join(["label"] + [f"pixel{i}" for i in range(784)])] if header else []
    lines += [",".join(map(str, [int(label), *image.reshape(-1)])) for image, label in zip(images, labels)]
    return ("\r\n".join(lines) + "\r\n").encode()


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file: 2 zero bytes, the dtype code, the number of dimensions, the sizes (big-endian), the values."""
    return bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


@pytest.fixture(scope="module")
def rows(mnist_train):
    return mnist_train[0][:200], mnist_train[1][:200]


def test_a_kaggle_csv_becomes_images_and_labels_with_a_fingerprint_and_a_seeded_split(rows):
    images, labels = rows
    own = read_upload([("train.csv", csv_bytes(images, labels))])
    assert own.images.shape == (200, 28, 28) and own.images.dtype == np.uint8 and own.labels.dtype == np.uint8
    assert np.array_equal(own.images, images) and np.array_equal(own.labels, labels)
    assert own.sha256 == hashlib.sha256(images.tobytes() + labels.tobytes()).hexdigest()
    (train_images, train_labels), (test_images, test_labels) = own.split()
    assert len(train_images) == len(train_labels) == 180 and len(test_images) == len(test_labels) == 20  # 10 % held out
    again = read_upload([("other name.csv.gz", gzip.compress(csv_bytes(images, labels, header=False)))])  # optional header
    assert read_upload([("excel.csv", "\ufeff".encode() + csv_bytes(images, labels))]).sha256 == own.sha256  # a BOM
    assert again.sha256 == own.sha256 and np.array_equal(again.split()[1][1], test_labels)  # the same test images
    held = {bytes(i) for i in test_images}
    assert not held & {bytes(i) for i in train_images}  # no test image trains
    config = own.training_config(TrainConfig(train_size=55000, dataset="fashion-mnist"))
    assert (config.train_size, config.val_size, config.dataset) == (160, 20, "mnist")  # 80 % trains, 10 % validates
    assert own.record() == {"source": "upload:train.csv", "file": "train.csv", "format": "Kaggle CSV", "rows": 200,
                            "sha256": own.sha256, "train": 160, "validation": 20, "test": 20}


def test_an_idx_pair_in_either_order_raw_or_gzipped_is_the_same_data(rows):
    images, labels = rows
    own = read_upload([("labels.idx1-ubyte", idx_bytes(labels)), ("images.idx3-ubyte.gz", gzip.compress(idx_bytes(images)))])
    assert np.array_equal(own.images, images) and np.array_equal(own.labels, labels)
    assert own.format == "IDX pair" and own.file == "images.idx3-ubyte.gz + labels.idx1-ubyte"
    assert own.sha256 == read_upload([("t.csv", csv_bytes(images, labels))]).sha256  # the data's, not the file's


def bad_csv(images, labels, line: int, change) -> bytes:
    """The CSV of these rows with one line (1 is the header) changed by `change(list of values) -> list`."""
    lines = csv_bytes(images, labels).decode().split("\r\n")
    lines[line - 1] = ",".join(change(lines[line - 1].split(",")))
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize("change, message", [
    (lambda v: v[:-1], "Line 3 has 784 values; the header has 785 (a label and 784 pixels)"),
    (lambda v: v[:5] + ["12.5"] + v[6:], "Line 3 has a value that is not a whole number: '12.5'"),
    (lambda v: v[:5] + ["x"] + v[6:], "Line 3 has a value that is not a whole number: 'x'"),
    (lambda v: ["10"] + v[1:], "Line 3 has the label 10: labels must be digits from 0 to 9"),
    (lambda v: v[:101] + ["256"] + v[102:], "Line 3 has pixel100 = 256: pixel values must lie between 0 and 255"),
    (lambda v: v[:101] + ["-1"] + v[102:], "Line 3 has pixel100 = -1: pixel values must lie between 0 and 255"),
])
def test_each_bad_line_of_a_csv_is_named_with_what_is_wrong(rows, change, message):
    with pytest.raises(DataError, match=f"^{re.escape(f'train.csv: {message}.')}$"):
        read_upload([("train.csv", bad_csv(*rows, 3, change))])


@pytest.mark.parametrize("upload, message", [
    ([], "No file: upload a Kaggle CSV"),
    ([("a.csv", b"")], "a.csv is empty"),
    ([("a.csv", b"label,pixel0\n1,2\n")], "header must be `label,pixel0,...,pixel783`"),
    ([("a.csv", b"1,2,3\n")], "Line 1 has 3 values and is not a header"),
    ([("a.csv", ",".join(["label"] + [f"pixel{i}" for i in range(784)]).encode() + b"\n")], "a header but no images"),
    ([("i.idx", idx_bytes(np.zeros((200, 28, 28), np.uint8)))], "i.idx is an IDX file, which comes in a pair"),
    ([("i.gz", gzip.compress(idx_bytes(np.zeros((200, 28, 28), np.uint8))))], "i.gz is an IDX file"),
    ([("a.csv", b"x"), ("b.csv", b"y"), ("c.csv", b"z")], "3 files"),
])
def test_bad_uploads_are_refused_with_the_reason(upload, message):
    with pytest.raises(DataError, match=message):
        read_upload(upload)


def test_a_csv_without_labels_cannot_train(rows):
    pixels_only = b"\n".join(",".join(map(str, image.reshape(-1))).encode() for image in rows[0])
    with pytest.raises(DataError, match="has no labels .* needs its label first"):
        read_upload([("test.csv", pixels_only)])


def test_bad_idx_pairs_are_refused_with_the_reason(rows):
    images, labels = idx_bytes(rows[0]), idx_bytes(rows[1])
    cases = [
        ([("a", labels), ("b", labels)], r"images file \(N × 28 × 28\) and a labels file \(N\); these hold a \(200,\)"),
        ([("a", images), ("b", images)], r"these hold a \(200, 28, 28\) and b \(200, 28, 28\)"),
        ([("a", images), ("b", idx_bytes(rows[1][:150]))], "a has 200 images but b has 150 labels"),
        ([("a", idx_bytes(rows[0][:, :14])), ("b", labels)], "a holds 14×28 images of uint8; the network reads 28×28"),
        ([("a", images), ("b", idx_bytes(rows[1] + 5))], "labels from 5 to 14 .*digits from 0 to 9"),
        ([("a", images[:-10]), ("b", labels)], "a: header promises .* truncated"),
        ([("a", b"PK\x03\x04zip"), ("b", labels)], "a: not an IDX file"),
        ([("a", gzip.compress(idx_bytes(rows[0]))[:-20]), ("b", labels)], "a: the gzip file is cut short"),
    ]
    for upload, message in cases:
        with pytest.raises(DataError, match=message):
            read_upload(upload)


def test_limits_on_rows_bytes_and_a_minimum(rows, monkeypatch):
    images, labels = rows
    with pytest.raises(DataError, match="has 50 images; training needs at least 100"):
        read_upload([("few.csv", csv_bytes(images[:50], labels[:50]))])
    monkeypatch.setattr(owndata, "MAX_ROWS", 150)
    with pytest.raises(DataError, match="more than 150 rows"):
        read_upload([("many.csv", csv_bytes(images, labels))])
    with pytest.raises(DataError, match="The pair holds 200 images; at most 150"):
        read_upload([("i", idx_bytes(images)), ("l", idx_bytes(labels))])
    monkeypatch.setattr(owndata, "MAX_FILE_BYTES", 2**20)
    monkeypatch.setattr(owndata, "MAX_UNPACKED_BYTES", 2**20)
    with pytest.raises(DataError, match="big.csv is 2 MB; a file may be at most 1 MB"):
        read_upload([("big.csv", b"0" * 2 * 2**20)])
    bomb = gzip.compress(bytes([0, 0, 8, 3]) + struct.pack(">3I", 3000, 28, 28) + bytes(3000 * 784))  # 2.2 MB inflated
    with pytest.raises(DataError, match="unpacks to more than 1 MB"):
        read_upload([("i.gz", bomb), ("l", idx_bytes(labels))])


def test_a_model_file_keeps_the_record_of_its_data_and_refuses_a_malformed_one(rows):
    from core.io import ModelFileError, load_model, model_bytes
    from core.nn.network import Network
    network = Network.create((8,))
    record = read_upload([("train.csv", csv_bytes(*rows))]).record()
    assert load_model(model_bytes(network, {"upload": record}))[1]["upload"] == record
    for bad in ("train.csv", {"file": "train.csv", "rows": "200", "test": 20}, {"rows": 200, "test": 20}):
        with pytest.raises(ModelFileError, match="must name the file and count its rows and held-out test images"):
            load_model(model_bytes(network, {"upload": bad}))
