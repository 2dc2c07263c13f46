"""Knowing when it does not know: answer only when sure enough (a reject threshold), and check whether the
model's confidence means what it says (calibration).

Everything here needs two facts per test image, which the stored results of a model hold:
    confidence_n = max_k P[n, k]          how sure the model is of the digit it picks
    correct_n    = [argmax_k P[n, k] = y_n]  whether that digit is right
"""
from dataclasses import dataclass

import numpy as np

from core.evaluate import CHUNK
from core.nn.losses import cross_entropy, softmax

DEFAULT_THRESHOLD = 0.9  # below it, Draw says "not sure". Measured on the test digits: fast answers 95 % of them
# and gets 99.5 % of those right (98.1 % of all); cnn-99 answers 98.9 % (99.6 % right); of the ones declined, only
# 65-71 % would have been right. Lower keeps the coin-flips; 0.95 declines 7 % of fast's digits for +0.2 points.
BINS = 10  # equal-width confidence bins of the reliability diagram, as in Guo et al. (2017)
T_RANGE = (0.05, 20.0)  # temperatures searched; golden-section steps shrink the bracket 0.618x each


def confidence_and_correct(P, y) -> tuple:
    """(max_k P[n, k], argmax_k P[n, k] == y_n) for every row of P.  P (N, C), y (N,) -> (N,) float, (N,) bool"""
    P = np.asarray(P)
    return P.max(axis=1), P.argmax(axis=1) == np.asarray(y)


@dataclass
class Choice:
    """What one threshold t does: answer the digits with confidence >= t, decline the rest."""
    threshold: float
    coverage: float           # share answered: #{n: conf_n >= t} / N
    accuracy: float           # right among the answered (nan when none is answered)
    declined_accuracy: float  # right among the declined, had it answered them (nan when none is declined)


def choose(confidence, correct, threshold: float) -> Choice:
    """coverage(t) = #{conf_n >= t} / N;  accuracy(t) = #{conf_n >= t and correct_n} / #{conf_n >= t}.

    At t = 0 every digit is answered: coverage 1 and the plain accuracy.  confidence, correct: (N,)
    """
    answered = np.asarray(confidence) >= threshold
    correct = np.asarray(correct, dtype=bool)
    return Choice(threshold, float(answered.mean()), mean_or_nan(correct[answered]), mean_or_nan(correct[~answered]))


def mean_or_nan(values) -> float:
    return float(values.mean()) if values.size else float("nan")


def risk_coverage(confidence, correct) -> tuple:
    """Every threshold at once: (thresholds, coverage, accuracy), one entry per distinct confidence, surest first.

    Sorting by confidence (most confident first), the threshold t_i = the i-th distinct confidence answers
    the n_i images with conf >= t_i:  coverage_i = n_i / N,  accuracy_i = (correct among the first n_i) / n_i.
    Coverage grows and the threshold falls along the arrays; the last entry is t = min conf: coverage 1.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    order = np.argsort(-confidence, kind="stable")
    sorted_conf = confidence[order]                                  # (N,) descending
    hits = np.cumsum(np.asarray(correct, dtype=bool)[order])         # (N,) correct among the first n
    last_of_each = np.flatnonzero(np.r_[sorted_conf[1:] != sorted_conf[:-1], True])  # ties are answered together
    answered = last_of_each + 1                                      # n_i
    return sorted_conf[last_of_each], answered / len(confidence), hits[last_of_each] / answered


@dataclass
class Reliability:
    """The reliability diagram's bins: M equal-width bins of confidence ((m-1)/M, m/M], the first one [0, 1/M]."""
    edges: np.ndarray       # (M + 1,) 0, 1/M, ..., 1
    confidence: np.ndarray  # (M,) mean confidence in each bin, conf_m (nan where empty)
    accuracy: np.ndarray    # (M,) share right in each bin, acc_m (nan where empty)
    counts: np.ndarray      # (M,) images in each bin, n_m

    @property
    def gaps(self) -> np.ndarray:
        """|acc_m - conf_m| of each non-empty bin."""
        filled = self.counts > 0
        return np.abs(self.accuracy[filled] - self.confidence[filled])

    @property
    def ece(self) -> float:
        """Expected calibration error: ECE = sum_m (n_m / N) |acc_m - conf_m|."""
        filled = self.counts > 0
        return float(np.sum(self.counts[filled] / self.counts.sum() * self.gaps))

    @property
    def mce(self) -> float:
        """Maximum calibration error: MCE = max_m |acc_m - conf_m| over the non-empty bins."""
        return float(self.gaps.max())


def reliability(confidence, correct, bins: int = BINS) -> Reliability:
    """Bin m (1..M) holds the images with (m-1)/M < conf <= m/M; per bin, the mean confidence and the accuracy.

    A calibrated model is right 80 % of the time when it says 80 %: acc_m = conf_m in every bin, ECE = 0.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)  # conf = 0.8 goes to (0.7, 0.8]
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):             # empty bins: 0 / 0 = nan, on purpose
        mean_conf = np.bincount(index, weights=confidence, minlength=bins) / counts
        accuracy = np.bincount(index, weights=correct, minlength=bins) / counts
    return Reliability(np.linspace(0, 1, bins + 1), mean_conf, accuracy, counts)


def just_below(confidence, threshold: float, count: int) -> np.ndarray:
    """Indices of the `count` images the threshold declines by the smallest margin, surest first."""
    declined = np.flatnonzero(np.asarray(confidence) < threshold)
    return declined[np.argsort(-np.asarray(confidence)[declined], kind="stable")][:count]


def temperature_nll(Z, y, T: float) -> float:
    """The mean cross-entropy of softmax(Z / T) for the labels: NLL(T) = -(1/N) sum_n log softmax(z_n / T)_{y_n}."""
    return cross_entropy(softmax(np.asarray(Z, dtype=np.float64) / T), np.asarray(y))


def fit_temperature(Z, y, steps: int = 60) -> float:
    """Temperature scaling (Guo et al. 2017): the one T that makes softmax(Z / T) most likely, T* = argmin NLL(T).

    Dividing every logit by T keeps each argmax (the accuracy) and only softens (T > 1) or sharpens (T < 1) the
    confidence. NLL is convex in 1/T, so it has one minimum, which a golden-section search over log T finds.
    Z (N, C) logits, y (N,) labels.
    """
    golden = (np.sqrt(5) - 1) / 2                                    # 0.618: each step keeps this share of the bracket
    low, high = np.log(T_RANGE)
    for _ in range(steps):
        left, right = high - golden * (high - low), low + golden * (high - low)
        if temperature_nll(Z, y, np.exp(left)) < temperature_nll(Z, y, np.exp(right)):
            high = right                                             # the minimum is left of `right`
        else:
            low = left
    return float(np.exp((low + high) / 2))


@dataclass
class TemperatureScaling:
    """T fitted on the first half of the test images; ECE measured on the other half, before and after."""
    temperature: float
    ece_before: float
    ece_after: float
    held_out: int  # images in the half that measures


def scale_temperature(Z, y) -> TemperatureScaling:
    """Fit T on the first half of (Z, y) (a validation split), measure ECE at T = 1 and at T on the second half.
    Z (N, C) logits, y (N,)."""
    Z, y = np.asarray(Z, dtype=np.float64), np.asarray(y)
    half = len(y) // 2
    T = fit_temperature(Z[:half], y[:half])
    before, after = (reliability(*confidence_and_correct(softmax(Z[half:] / t), y[half:])).ece for t in (1.0, T))
    return TemperatureScaling(T, before, after, len(y) - half)


def all_logits(network, X):
    """The network's logits for every row of X, CHUNK rows at a time (a CNN's im2col of 10,000 images at once
    would take most of a gigabyte).  (N, 784) -> (N, 10)"""
    return np.concatenate([network.forward(X[start:start + CHUNK]).logits for start in range(0, len(X), CHUNK)])
