"""How good is a model: accuracy, the confusion matrix, per-class precision/recall/F1, confident mistakes.

Command line: python -m core.evaluate weights/fast.npz   (last line: test_accuracy=0.XXXX)
"""
import numpy as np

from core.losses import CLASSES


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


def main(argv=None):
    from core.cli import evaluate_command
    return evaluate_command(argv)


if __name__ == "__main__":
    raise SystemExit(main())
