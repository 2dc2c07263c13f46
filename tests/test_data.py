import gzip
import io
import shutil

import numpy as np
import pytest

import hashlib

from core.data import (DATA_DIR, DATASETS, DataError, load_dataset, load_kaggle_csv, load_mnist, parse_idx, read_idx,
                       to_inputs, train_val_split)


def idx_bytes(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def test_mnist_loads_with_the_published_shapes_and_first_labels(mnist_train):
    images, labels = mnist_train
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]
    assert np.bincount(labels).tolist()[:3] == [5923, 6742, 5958]  # the well-known class counts
    test_images, test_labels = load_mnist("test")
    assert test_images.shape == (10000, 28, 28) and test_labels[:5].tolist() == [7, 2, 1, 0, 4]


@pytest.mark.parametrize("name", DATASETS)
def test_each_dataset_ships_its_published_files(name):
    """The decompressed files' MD5 sums are the ones the dataset's authors publish (MD5SUMS.uncompressed)."""
    folder = DATASETS[name].folder
    published = dict(line.split()[::-1] for line in (folder / "MD5SUMS.uncompressed").read_text().splitlines())
    assert len(published) == 4
    for file, digest in published.items():
        assert hashlib.md5(gzip.decompress((folder / (file + ".gz")).read_bytes())).hexdigest() == digest, file


def test_fashion_mnist_loads_by_name_with_its_classes():
    images, labels = load_dataset("fashion-mnist", "test")
    assert images.shape == (10000, 28, 28) and np.bincount(labels).tolist() == [1000] * 10
    fashion = DATASETS["fashion-mnist"]
    assert fashion.classes[9] == "Ankle boot" and len(fashion.classes) == 10 and fashion.item == "item of clothing"
    assert DATASETS["mnist"].classes == tuple("0123456789") and DATASETS["mnist"].item == "digit"
    with pytest.raises(DataError, match="Unknown dataset 'cifar'.*mnist, fashion-mnist"):
        load_dataset("cifar", "test")


def test_idx_round_trip_gz_and_raw(tmp_path):
    array = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(idx_bytes(array))
    (tmp_path / "a.idx.gz").write_bytes(gzip.compress(idx_bytes(array)))
    assert np.array_equal(read_idx(tmp_path / "a.idx"), array)
    assert np.array_equal(read_idx(tmp_path / "a.idx.gz"), array)


@pytest.mark.parametrize("raw, message", [
    (b"", "bad magic"),
    (b"\x01\x00\x08\x01" + b"\x00" * 8, "bad magic"),
    (bytes([0, 0, 8, 2]) + np.array([2], ">u4").tobytes(), "cut short"),
    (idx_bytes(np.zeros((3, 2)))[:-1], "truncated"),
    (idx_bytes(np.zeros((3, 2))) + b"\x00", "trailing"),
])
def test_bad_idx_bytes_are_rejected_with_the_reason(raw, message):
    with pytest.raises(DataError, match=message):
        parse_idx(raw)


def copy_mnist(tmp_path):
    for f in DATA_DIR.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def test_missing_file_names_the_file_and_the_fix(tmp_path):
    root = copy_mnist(tmp_path)
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte.gz: file is missing; copy the canonical files"):
        load_mnist("test", root)


def test_a_missing_fashion_file_says_where_its_copy_lives(tmp_path):
    root = tmp_path / "fashion-mnist"
    shutil.copytree(DATASETS["fashion-mnist"].folder, root)
    (root / "t10k-images-idx3-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"file is missing; copy the canonical files again from "
                                        r"shared/data/fashion-mnist/ into data/fashion-mnist/"):
        load_mnist("test", root)


@pytest.mark.parametrize("damage", ["truncate", "alter"])
def test_damaged_file_fails_its_checksum(tmp_path, damage):
    root = copy_mnist(tmp_path)
    path = root / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(path.read_bytes())
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    else:
        raw[1000] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"t10k-images-idx3-ubyte.gz: checksum does not match"):
        load_mnist("test", root)


def test_one_damaged_byte_anywhere_in_a_gzipped_file_is_a_data_error_or_harmless(tmp_path):
    """The first 40 bytes (gzip's header, the start of the stream), the last 8 (its CRC and length) and some
    bytes between (150 of the labels file, 30 of the images file), each flipped in turn (one at a time)."""
    for name, sampled in [("t10k-labels-idx1-ubyte.gz", 150), ("t10k-images-idx3-ubyte.gz", 30)]:
        original = (DATA_DIR / name).read_bytes()
        intact = read_idx(DATA_DIR / name)
        assert original[3] == 0x08  # the header holds the original file name, ended by a zero byte:
        header_end = original.index(b"\0", 10) + 1  # time stamp, flags and name are not checked by gzip
        between = np.random.default_rng(0).choice(np.arange(40, len(original) - 8), sampled, replace=False)
        damaged = tmp_path / name
        for i in [*range(40), *between, *range(len(original) - 8, len(original))]:
            raw = bytearray(original)
            raw[i] ^= 0x5A
            damaged.write_bytes(bytes(raw))
            try:
                array = read_idx(damaged)
            except DataError as err:
                assert str(damaged) in str(err) and "copy the canonical files again" in str(err), err
            else:
                assert i < header_end and np.array_equal(array, intact), f"byte {i} of {name} damaged unnoticed"


def test_a_damaged_checksum_list_is_a_data_error_naming_it(tmp_path):
    root = copy_mnist(tmp_path)
    sums = root / "SHA256SUMS"
    for damaged in [b"\xff\xfe not text", sums.read_bytes()[:70], b"abc\n", sums.read_bytes().replace(b"  ", b"")]:
        sums.write_bytes(damaged)
        with pytest.raises(DataError, match=r"SHA256SUMS: damaged .*copy the canonical files again"):
            load_mnist("test", root)


@pytest.mark.parametrize("dtype", [np.float64, "float64", np.dtype("float64"), float, np.float32, "f4"])
def test_to_inputs_takes_any_float_type_numpy_understands(mnist_train, dtype):
    X = to_inputs(mnist_train[0][:2], dtype)
    assert X.dtype == np.dtype(dtype) and X.max() == 1.0
    assert X[0, 7 * 28 + 12] == pytest.approx(mnist_train[0][0, 7, 12] / 255)


def test_to_inputs_flattens_and_scales_to_unit_range(mnist_train):
    X = to_inputs(mnist_train[0][:5])
    assert X.shape == (5, 784) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert X[0, 7 * 28 + 12] == pytest.approx(mnist_train[0][0, 7, 12] / 255)


def test_split_is_seeded_disjoint_and_complete():
    train, val = train_val_split(100, 20, seed=3)
    assert len(train) == 80 and len(val) == 20
    assert set(train).isdisjoint(val) and set(train) | set(val) == set(range(100))
    assert np.array_equal(val, train_val_split(100, 20, seed=3)[1])
    assert not np.array_equal(val, train_val_split(100, 20, seed=4)[1])


def kaggle_csv(rows, labels=True):
    header = (["label"] if labels else []) + [f"pixel{i}" for i in range(784)]
    return "\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n"


def test_kaggle_csv_round_trip_with_and_without_labels(mnist_train):
    images, labels = mnist_train[0][:3], mnist_train[1][:3]
    rows = [[int(l), *img.reshape(-1)] for img, l in zip(images, labels)]
    got_images, got_labels = load_kaggle_csv(io.StringIO(kaggle_csv(rows)))
    assert np.array_equal(got_images, images) and np.array_equal(got_labels, labels)
    got_images, got_labels = load_kaggle_csv(io.BytesIO(kaggle_csv([r[1:] for r in rows], labels=False).encode()))
    assert np.array_equal(got_images, images) and got_labels is None


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    (kaggle_csv([]), "no images"),
    ("label,a,b\n1,2,3\n", "header must be"),
    (kaggle_csv([[1] + [0] * 783]), "has 784 values; the header has 785"),
    (kaggle_csv([[1, "x"] + [0] * 783]), "not a whole number"),
    (kaggle_csv([[1, 256] + [0] * 783]), "between 0 and 255"),
    (kaggle_csv([[10] + [0] * 784]), "digits from 0 to 9"),
])
def test_bad_kaggle_csv_is_rejected_with_the_reason(text, message):
    with pytest.raises(DataError, match=message):
        load_kaggle_csv(io.StringIO(text))


def test_kaggle_csv_refuses_too_many_rows():
    with pytest.raises(DataError, match="more than 2 rows"):
        load_kaggle_csv(io.StringIO(kaggle_csv([[0] * 785] * 3)), max_rows=2)
