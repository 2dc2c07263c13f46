"""Your own data to train on: a Kaggle CSV (label,pixel0..pixel783) or an IDX pair (images, labels).

Checked like the evaluation CSV and the shipped IDX files (core.data), limited in rows and bytes, fingerprinted
with a SHA-256 of its pixels and labels, and split: a seeded 10 % held out to test, 10 % to validate, the rest to
train. Its labels 0-9 are read as digits: the app's pages measure such a model on MNIST's test digits too.
"""
import hashlib
import io
import zlib
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from core.data import DataError, load_kaggle_csv, parse_idx, train_val_split
from core.nn.shapes import CLASSES, SIDE
from core.presets import TrainConfig

MAX_ROWS = 60_000              # as many images as MNIST's training set; more would hold a shared training slot long
MIN_ROWS = 100                 # so that the 10 % held out to test and the 10 % to validate hold 10 images each
MAX_FILE_BYTES = 50 * 2**20    # what the server lets through (.streamlit/config.toml maxUploadSize, as for models)
MAX_UNPACKED_BYTES = 200 * 2**20  # what a .gz may unpack to: a 60,000-image CSV is about 105 MB
HELD_OUT = 0.10                # the share held out to test, and again to validate
TEST_SEED = 0                  # the same test images for every run on one file, whatever the training's seed
BASE_DATASET = "mnist"         # whose class names (digits 0-9) and test set the pages use for such a model
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(eq=False)
class OwnData:
    """An uploaded data set, checked: images (N, 28, 28) uint8 and labels (N,) uint8 in 0..9."""
    file: str        # what the learner uploaded: "train.csv", or "images.idx + labels.idx"
    format: str      # "Kaggle CSV" or "IDX pair"
    images: np.ndarray
    labels: np.ndarray

    @cached_property
    def sha256(self) -> str:
        """A fingerprint of the data itself (pixels, then labels), the same whichever file layout carried it."""
        return hashlib.sha256(self.images.tobytes() + self.labels.tobytes()).hexdigest()

    @property
    def held_out(self) -> int:
        """Images held out to test, and as many to validate: 10 % each."""
        return round(HELD_OUT * len(self.labels))

    def split(self) -> tuple:
        """((images, labels) to train and validate on, (images, labels) to test on), the test part seeded."""
        rest, test = train_val_split(len(self.labels), self.held_out, TEST_SEED)
        return (self.images[rest], self.labels[rest]), (self.images[test], self.labels[test])

    def training_config(self, config: TrainConfig) -> TrainConfig:
        """`config` for this data: every image not held out trains, 10 % validate, its labels read as digits."""
        return replace(config, dataset=BASE_DATASET, train_size=len(self.labels) - 2 * self.held_out,
                       val_size=self.held_out)

    def record(self) -> dict:
        """What a model trained on it records in its file (core.io metadata 'upload')."""
        return {"source": f"upload:{self.file}", "file": self.file, "format": self.format, "rows": len(self.labels),
                "sha256": self.sha256, "train": len(self.labels) - 2 * self.held_out, "validation": self.held_out,
                "test": self.held_out}


def read_upload(files: list) -> OwnData:
    """Files as [(name, bytes)]: one Kaggle CSV, or an IDX images file and its labels file in either order."""
    if not files:
        raise DataError("No file: upload a Kaggle CSV, or an IDX images file and its labels file together.")
    for name, raw in files:
        if len(raw) > MAX_FILE_BYTES:
            raise DataError(f"{name} is {len(raw) / 2**20:,.0f} MB; a file may be at most {MAX_FILE_BYTES // 2**20} MB.")
        if not raw:
            raise DataError(f"{name} is empty.")
    if len(files) == 1:
        name, raw = files[0]
        raw = inflated(name, raw)  # a gzipped CSV: Kaggle's 73 MB train.csv is 9 MB as train.csv.gz
        if raw[:2] == b"\x00\x00":
            raise DataError(f"{name} is an IDX file, which comes in a pair: upload the images file and the labels "
                            "file together (or one Kaggle CSV).")
        return checked(name, "Kaggle CSV", *csv_with_labels(name, raw))
    if len(files) == 2:
        return idx_pair(files)
    raise DataError(f"{len(files)} files: upload one Kaggle CSV, or two IDX files (the images and their labels).")


def csv_with_labels(name: str, raw: bytes) -> tuple:
    """The Kaggle CSV's images and labels, read by the evaluation CSV's reader (core.data.load_kaggle_csv)."""
    try:
        images, labels = load_kaggle_csv(io.BytesIO(raw), max_rows=MAX_ROWS)
    except DataError as err:
        raise DataError(f"{name}: {err}") from None
    if labels is None:
        raise DataError(f"{name} has no labels (784 values a line): to train, each line needs its label first, "
                        "`label,pixel0,...,pixel783`.")
    return images, labels


def idx_pair(files: list) -> OwnData:
    """An IDX images file (N, 28, 28) of unsigned bytes and an IDX labels file (N,) of digits 0-9."""
    arrays = {name: parse_idx(inflated(name, raw), name) for name, raw in files}
    by_ndim = {a.ndim: name for name, a in arrays.items()}
    if set(by_ndim) != {1, 3}:
        shapes = " and ".join(f"{name} {arrays[name].shape}" for name, _ in files)
        raise DataError(f"An IDX pair is an images file (N × 28 × 28) and a labels file (N); these hold {shapes}.")
    images, labels = arrays[by_ndim[3]], arrays[by_ndim[1]]
    if images.shape[1:] != (SIDE, SIDE) or images.dtype != np.uint8:
        raise DataError(f"{by_ndim[3]} holds {images.shape[1]}×{images.shape[2]} images of {images.dtype}; the "
                        f"network reads 28×28 images of unsigned bytes (0-255).")
    if len(images) != len(labels):
        raise DataError(f"{by_ndim[3]} has {len(images):,} images but {by_ndim[1]} has {len(labels):,} labels; "
                        "a pair has one label per image.")
    if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() >= CLASSES:
        raise DataError(f"{by_ndim[1]} has labels from {labels.min()} to {labels.max()} ({labels.dtype}): "
                        f"labels must be digits from 0 to {CLASSES - 1}.")
    if len(labels) > MAX_ROWS:
        raise DataError(f"The pair holds {len(labels):,} images; at most {MAX_ROWS:,}.")
    return checked(f"{by_ndim[3]} + {by_ndim[1]}", "IDX pair", images, labels.astype(np.uint8))


def inflated(name: str, raw: bytes) -> bytes:
    """The bytes of a gzipped file (.gz) unpacked, at most MAX_UNPACKED_BYTES of them; other files as they are."""
    if raw[:2] != GZIP_MAGIC:
        return raw
    unpacker = zlib.decompressobj(16 + zlib.MAX_WBITS)  # 16 +: expect the gzip header and trailer
    try:
        unpacked = unpacker.decompress(raw, MAX_UNPACKED_BYTES + 1)
    except zlib.error as err:
        raise DataError(f"{name}: not a valid gzip file ({err}).") from None
    if len(unpacked) > MAX_UNPACKED_BYTES:
        raise DataError(f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB; at most "
                        f"{MAX_UNPACKED_BYTES // 2**20}.")
    if not unpacker.eof:
        raise DataError(f"{name}: the gzip file is cut short.")
    return unpacked


def checked(file: str, format: str, images: np.ndarray, labels: np.ndarray) -> OwnData:
    if len(labels) < MIN_ROWS:
        raise DataError(f"{file} has {len(labels)} images; training needs at least {MIN_ROWS} (10 % of them are "
                        "held out to test and 10 % to validate).")
    return OwnData(file, format, images, labels)
