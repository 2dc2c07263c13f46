"""The datasets (MNIST and Fashion-MNIST, as IDX files in data/), the Kaggle CSV layout, and splits.

A dataset is a name, its four files with their checksums, its class names and the word for one of its
items. Everything returns plain NumPy arrays: images as uint8 (N, 28, 28), labels as uint8 (N,).
"""
import csv
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.nn.shapes import INPUTS, SIDE, as_images

DATA_ROOT = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Dataset:
    """What the app and the command line know of a dataset; its files are data/<name>/ (IDX, gzipped)."""
    name: str       # as in file names, URLs and model files
    title: str
    classes: tuple  # class names by label, 0..9
    item: str       # one of its items, in words: "digit"
    items: str      # many: "handwritten digits"

    @property
    def folder(self) -> Path:
        return DATA_ROOT / self.name


DATASETS = {d.name: d for d in (
    Dataset("mnist", "MNIST", tuple("0123456789"), "digit", "handwritten digits"),
    Dataset("fashion-mnist", "Fashion-MNIST", ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                              "Shirt", "Sneaker", "Bag", "Ankle boot"),
            "item of clothing", "photos of clothes"),
)}
DATA_DIR = DATASETS["mnist"].folder
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 60000),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", 10000),
}
IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


class DataError(ValueError):
    """A data file is missing, damaged or not in the expected layout; the message says which and why."""


def repair(folder: Path) -> str:
    """What to do about a missing or damaged file in one dataset's folder."""
    return f"copy the canonical files again from shared/data/{folder.name}/ into data/{folder.name}/"


def parse_idx(raw: bytes, name: str = "IDX data") -> np.ndarray:
    """Decode IDX bytes: 2 zero bytes, a dtype code, the number of dimensions, the sizes, the values."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise DataError(f"{name}: not an IDX file (bad magic number {raw[:4].hex() or 'empty'}).")
    dtype, ndim = np.dtype(IDX_DTYPES[raw[2]]), raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise DataError(f"{name}: IDX header is cut short ({len(raw)} bytes).")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise DataError(f"{name}: header promises {shape} = {expected} bytes, file has {len(raw)}; "
                        "the file is truncated or has trailing bytes.")
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path) -> np.ndarray:
    """Read an IDX file, gzipped (.gz) or raw, checking magic number, dimensions and byte count."""
    path = Path(path)
    raw = _read_bytes(path)
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as err:  # a damaged byte fails the CRC, the length or the inflate
            raise DataError(f"{path}: not a valid gzip file ({err}); {repair(path.parent)}.") from None
    try:
        return parse_idx(raw, str(path))
    except DataError as err:
        raise DataError(f"{err} To repair it, {repair(path.parent)}.") from None


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataError(f"{path}: file is missing; {repair(path.parent)}.")
    return path.read_bytes()


def _expected_sha256(root: Path) -> dict:
    """SHA256SUMS as {file name: hex digest}, one `digest  name` per line."""
    sums = root / "SHA256SUMS"
    try:
        rows = [line.split() for line in _read_bytes(sums).decode("ascii").splitlines() if line.strip()]
    except UnicodeDecodeError:
        rows = [["damaged"]]
    if not all(len(row) == 2 and len(row[0]) == 64 for row in rows):
        raise DataError(f"{sums}: damaged (each line must be a SHA-256 digest and a file name); {repair(root)}.")
    return {name: digest for digest, name in rows}


def load_dataset(name: str = "mnist", split: str = "train") -> tuple:
    """Load one split of a dataset by name ("mnist", "fashion-mnist"): images (N, 28, 28) uint8, labels (N,) uint8."""
    if name not in DATASETS:
        raise DataError(f"Unknown dataset {name!r}: choose from {', '.join(DATASETS)}.")
    return load_mnist(split, DATASETS[name].folder)


def load_mnist(split: str = "train", root=DATA_DIR) -> tuple:
    """Load one split of files in MNIST's layout (MNIST's own by default) after checking each file's SHA-256:
    images (N, 28, 28) uint8, labels (N,) uint8."""
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    root = Path(root)
    image_file, label_file, count = FILES[split]
    expected = _expected_sha256(root)
    arrays = []
    for name in (image_file, label_file):
        if name not in expected:
            raise DataError(f"{root / 'SHA256SUMS'}: damaged (it has no line for {name}); {repair(root)}.")
        raw = _read_bytes(root / name)
        if hashlib.sha256(raw).hexdigest() != expected[name]:
            raise DataError(f"{root / name}: checksum does not match SHA256SUMS (the file is altered "
                            f"or truncated); {repair(root)}.")
        arrays.append(read_idx(root / name))
    images, labels = arrays
    if images.shape != (count, SIDE, SIDE) or labels.shape != (count,):
        raise DataError(f"{split}: expected {count} 28x28 images and labels, got {images.shape}, {labels.shape}.")
    return images, labels


def load_kaggle_csv(source, max_rows: int = 100_000) -> tuple:
    """Read the Kaggle "digit recognizer" CSV: `label,pixel0..pixel783` (train) or `pixel0..pixel783` (test).

    The header line is optional (785 values a line: a label and the pixels; 784: pixels only). Returns images
    (N, 28, 28) uint8 and labels (N,) uint8, or None for the label-less layout. `source` is a path or a text or
    binary file object; it is read line by line, each line kept as 785 bytes (not a list of Python numbers).
    """
    lines = _text_lines(source)
    rows = csv.reader(lines)
    first = next(rows, None)
    if not first:
        raise DataError("The CSV file is empty: expected a header `label,pixel0,...,pixel783` and a line per image.")
    header = [h.strip() for h in first]
    header[0] = header[0].removeprefix("\ufeff")  # the byte-order mark some spreadsheets write first
    has_labels = len(header) == INPUTS + 1
    if not all(_whole(h) for h in header):  # a header, not an image
        first, has_labels = None, header[:1] == ["label"]
        if header[has_labels:] != [f"pixel{i}" for i in range(INPUTS)]:
            raise DataError(f"The CSV header must be `label,pixel0,...,pixel783` or `pixel0,...,pixel783`; "
                            f"it starts with {','.join(header[:3])!r} and has {len(header)} columns.")
    elif len(header) not in (INPUTS, INPUTS + 1):
        raise DataError(f"Line 1 has {len(header)} values and is not a header: a line holds a label and 784 pixels "
                        "(785 values), or 784 pixels; a header line, if any, is `label,pixel0,...,pixel783`.")
    columns, kept = INPUTS + has_labels, []
    for line, row in enumerate(rows if first is None else [first, *rows], start=1 + (first is None)):
        if row:
            if len(kept) == max_rows:
                raise DataError(f"The CSV file has more than {max_rows:,} rows (an image each); use at most {max_rows:,}.")
            kept.append(_csv_line(row, line, columns, has_labels))
    if not kept:
        raise DataError("The CSV file has a header but no images.")
    table = np.frombuffer(b"".join(kept), np.uint8).reshape(len(kept), columns)
    return as_images(table[:, int(has_labels):]), table[:, 0].copy() if has_labels else None


def _text_lines(source):
    """Lines of text from a path, a text file object or a binary one (read as UTF-8)."""
    if isinstance(source, (str, Path)):
        return Path(source).read_text(errors="replace").splitlines()
    if isinstance(source.read(0), bytes):
        return io.TextIOWrapper(source, encoding="utf-8", errors="replace", newline="")
    return source


def _whole(text: str) -> bool:
    try:
        int(text)
        return True
    except ValueError:
        return False


def _csv_line(row: list, line: int, columns: int, has_labels: bool) -> bytes:
    """One image's line, checked: `columns` whole numbers, a label 0-9 first if `has_labels`, pixels 0-255."""
    if len(row) != columns:
        raise DataError(f"Line {line} has {len(row)} values; the header has {columns} "
                        f"({'a label and ' if has_labels else ''}784 pixels).")
    try:
        values = [int(v) for v in row]
    except ValueError:
        bad = next(v for v in row if not _whole(v))
        raise DataError(f"Line {line} has a value that is not a whole number: {bad[:20]!r}.") from None
    if has_labels and not 0 <= values[0] <= 9:
        raise DataError(f"Line {line} has the label {values[0]}: labels must be digits from 0 to 9.")
    if min(values) < 0 or max(values) > 255:
        column = next(i for i, v in enumerate(values) if not 0 <= v <= 255) - has_labels
        raise DataError(f"Line {line} has pixel{column} = {values[column + has_labels]}: pixel values must lie "
                        "between 0 and 255.")
    return bytes(values)


def to_inputs(images: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Flatten uint8 images (N, 28, 28) into the rows the network reads: X (N, 784), pixels in [0, 1].

    `dtype` is anything NumPy reads as a float type: np.float32, "float64", np.dtype("float64")."""
    dtype = np.dtype(dtype)
    return images.reshape(len(images), -1).astype(dtype) / dtype.type(255)


def train_val_split(n: int, val_size: int, seed: int = 0) -> tuple:
    """Shuffle indices 0..n-1 with a seed and cut off `val_size` of them for validation."""
    if not 0 <= val_size < n:
        raise ValueError(f"val_size must be between 0 and {n - 1}, not {val_size}")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[val_size:]), np.sort(order[:val_size])
