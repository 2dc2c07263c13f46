"""How good is a model: accuracy, the confusion matrix, per-class precision/recall/F1, confident mistakes,
and how accuracy falls when the digits are shifted (what convolution and pooling buy).

Command line: python -m core.evaluate weights/fast.npz   (last line: test_accuracy=0.XXXX)
`--save-results weights/results/fast.npz` also writes what the app shows about a shipped model (see ModelResults).
"""
import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import DATASETS, DataError, load_dataset, to_inputs
from core.io import ModelFileError, load_model
from core.nn.shapes import CLASSES

SHIFTS, SHIFT_IMAGES = range(7), 1000  # the translation experiment: 0-6 pixels, 4 directions, the first 1,000
CHUNK = 1000  # images per step when predicting many, so a caller can show progress


def confusion_matrix(y_true, y_pred, classes: int = CLASSES):
    """C[i, j] = how many images of digit i the model called j.  (10, 10), sums to N"""
    return np.bincount(np.asarray(y_true) * classes + np.asarray(y_pred), minlength=classes**2).reshape(classes, classes)


def per_class_scores(C) -> dict:
    """precision_k = C[k,k] / column sum, recall_k = C[k,k] / row sum, F1 = 2 p r / (p + r); 0 where undefined."""
    hits = np.diag(C).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.nan_to_num(hits / C.sum(axis=0))
        recall = np.nan_to_num(hits / C.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    return {"precision": precision, "recall": recall, "f1": f1, "support": C.sum(axis=1)}


def predictions(network, X, progress=None) -> tuple:
    """(the digit the model picks, the probability it gives that digit) for every row of X: (N,) uint8, (N,) float32.

    Computed CHUNK images at a time; progress(share done) is called after each chunk.
    """
    predicted, confidence = [], []
    for start in range(0, len(X), CHUNK):
        P = network.predict_proba(X[start:start + CHUNK])  # (CHUNK, 10)
        predicted.append(P.argmax(axis=1).astype(np.uint8))
        confidence.append(P.max(axis=1).astype(np.float32))
        if progress:
            progress(min(start + CHUNK, len(X)) / len(X))
    return np.concatenate(predicted), np.concatenate(confidence)


def confident_mistakes(predicted, confidence, y, count: int = 20):
    """Indices of the wrong predictions the model was surest of, most confident first."""
    wrong = np.flatnonzero(predicted != y)
    return wrong[np.argsort(-confidence[wrong], kind="stable")][:count]


def shift_images(images, dy: int, dx: int):
    """Move every image dy pixels down and dx pixels right (negative: up/left), filling with black.  (N, 28, 28)"""
    shifted = np.zeros_like(images)
    H, W = images.shape[1:]
    if abs(dy) >= H or abs(dx) >= W:
        return shifted
    shifted[:, max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
        images[:, max(-dy, 0):H - max(dy, 0), max(-dx, 0):W - max(dx, 0)]
    return shifted


DIRECTIONS = ((0, 1), (0, -1), (1, 0), (-1, 0))  # right, left, down, up


def accuracy_under_shift(network, images, labels, shifts=SHIFTS, progress=None) -> list:
    """Test accuracy when every digit moves by s pixels, for each s: the mean over the four directions.

    images (N, 28, 28) uint8; returns one accuracy per shift; progress(share done) is called after each shift.
    """
    accuracies = []
    for i, s in enumerate(shifts):
        hits = [network.accuracy(to_inputs(shift_images(images, dy * s, dx * s)), labels) for dy, dx in DIRECTIONS]
        accuracies.append(float(np.mean(hits)))
        if progress:
            progress((i + 1) / len(shifts))
    return accuracies


@dataclass
class ModelResults:
    """What the app shows about a model on the test images: the same for every user, so a shipped model's
    ship in a file beside it (weights/results/), made by `python -m core.evaluate MODEL --save-results FILE`."""
    predicted: np.ndarray       # (10000,) uint8: the digit it picks for each test image
    confidence: np.ndarray      # (10000,) float32: the probability it gives that digit
    shift_accuracy: list | None  # accuracy at each of SHIFTS on the first SHIFT_IMAGES digits (accuracy_under_shift)

    @classmethod
    def measure(cls, network, images, labels) -> "ModelResults":
        predicted, confidence = predictions(network, to_inputs(images))
        return cls(predicted, confidence, accuracy_under_shift(network, images[:SHIFT_IMAGES], labels[:SHIFT_IMAGES]))

    def save(self, path, model_file):
        """Written with the SHA-256 of the model file's bytes, so a results file never outlives its model."""
        np.savez_compressed(path, model_sha256=np.array(file_sha256(model_file)), predicted=self.predicted,
                            confidence=self.confidence, shift_accuracy=np.array(self.shift_accuracy))

    @classmethod
    def load(cls, path, model_file) -> "ModelResults | None":
        """The results saved for exactly this model file, or None (no file, or made for other weights)."""
        if not Path(path).is_file():
            return None
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["model_sha256"]) != file_sha256(model_file):
                return None
            return cls(saved["predicted"], saved["confidence"], saved["shift_accuracy"].tolist())


def file_sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def main(argv=None) -> int:
    """The command: load a model, measure it on its own dataset's test set, optionally save its results."""
    parser = argparse.ArgumentParser(prog="python -m core.evaluate",
                                     description="Test a saved model on the 10,000 test images of the dataset it learned from.")
    parser.add_argument("path", help="a model file (.npz)")
    parser.add_argument("--save-results", metavar="FILE",
                        help="also save its answers on the test images and the shift experiment (.npz) for the app")
    args = parser.parse_args(argv)
    try:
        network, meta = load_model(args.path)
        images, labels = load_dataset(meta["dataset"], "test")
    except (ModelFileError, DataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{args.path}: {network.architecture}, {network.activation}/{network.output}, "
          f"{DATASETS[meta['dataset']].title}, recorded accuracy {meta.get('test_accuracy')}")
    if args.save_results:
        results = ModelResults.measure(network, images, labels)
        results.save(args.save_results, args.path)
        print(f"saved {args.save_results}: accuracy under a shift of {list(SHIFTS)} pixels "
              + " ".join(f"{a:.3f}" for a in results.shift_accuracy))
        print(f"test_accuracy={np.mean(results.predicted == labels):.4f}")
    else:
        print(f"test_accuracy={network.accuracy(to_inputs(images), labels):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
