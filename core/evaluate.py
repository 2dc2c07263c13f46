"""How good is a model: accuracy, the confusion matrix, per-class precision/recall/F1, confident mistakes,
and how accuracy falls when the digits are shifted (what convolution and pooling buy).

Command line: python -m core.evaluate weights/fast.npz   (last line: test_accuracy=0.XXXX)
"""
import numpy as np

from core.data import to_inputs
from core.nn.shapes import CLASSES


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


def confident_mistakes(P, y, count: int = 20):
    """Indices of the wrong predictions the model was surest of, most confident first."""
    predicted = P.argmax(axis=1)
    wrong = np.flatnonzero(predicted != y)
    return wrong[np.argsort(-P[wrong, predicted[wrong]], kind="stable")][:count]


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


def accuracy_under_shift(network, images, labels, shifts=range(7)) -> list:
    """Test accuracy when every digit moves by s pixels, for each s: the mean over the four directions.

    images (N, 28, 28) uint8; returns one accuracy per shift.
    """
    accuracies = []
    for s in shifts:
        hits = [network.accuracy(to_inputs(shift_images(images, dy * s, dx * s)), labels) for dy, dx in DIRECTIONS]
        accuracies.append(float(np.mean(hits)))
    return accuracies


def main(argv=None):
    from core.cli import evaluate_command
    return evaluate_command(argv)


if __name__ == "__main__":
    raise SystemExit(main())
