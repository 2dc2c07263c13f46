"""Training speed: this project's fast preset against scikit-learn's MLPClassifier, interleaved.

Same architecture (784-256-10, ReLU), optimiser (Adam), batch size (128), epochs (8), float32 inputs
and training images. Epochs alternate between the two, so a busy machine slows both alike.
Prints seconds per epoch, their ratio, time to 97 % and 98 % test accuracy, and peak memory.

    pip install -r benchmarks/requirements.txt
    python benchmarks/train_speed.py [--threads 1]
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--threads", default="1", help="OPENBLAS_NUM_THREADS for both (default 1)")
args = parser.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = args.threads  # before NumPy loads

import time  # noqa: E402
import tracemalloc  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.data import load_mnist, to_inputs  # noqa: E402
from core.presets import preset_config  # noqa: E402
from core.training import Trainer, make_splits  # noqa: E402
from benchmarks.timing import time_to  # noqa: E402

try:
    from sklearn.neural_network import MLPClassifier
except ImportError:
    sys.exit("scikit-learn is not installed: pip install -r benchmarks/requirements.txt")


def timed_epoch(run_epoch) -> float:
    began = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn warns that one epoch has not converged
        run_epoch()
    return time.perf_counter() - began


def peak_memory(run_epoch) -> float:
    """Peak MB that NumPy allocated during one epoch (measured apart: tracing slows allocation)."""
    tracemalloc.start()
    timed_epoch(run_epoch)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main():
    config = preset_config("fast")
    splits = make_splits(config, *load_mnist("train"))
    test_images, y_test = load_mnist("test")
    X_test = to_inputs(test_images)
    contenders = {"core (NumPy)": core_contender(config, splits, X_test, y_test),
                  "scikit-learn MLP": sklearn_contender(config, splits, X_test, y_test)}
    runs = {name: [] for name in contenders}
    for epoch in range(1, config.epochs + 1):
        for name, (run_epoch, accuracy) in contenders.items():
            seconds = timed_epoch(run_epoch)
            runs[name].append((seconds, accuracy()))
            print(f"epoch {epoch}  {name:<17} {seconds:6.2f} s  test accuracy {runs[name][-1][1]:.4f}", flush=True)
    peaks = {"core (NumPy)": peak_memory(core_contender(config, splits, X_test, y_test)[0]),
             "scikit-learn MLP": peak_memory(sklearn_contender(config, splits, X_test, y_test)[0])}
    report(runs, peaks, config)
    print(f"shared floor: the two matrix products both must do take {matmul_floor(config, splits):.2f} s per epoch")


def matmul_floor(config, splits) -> float:
    """Seconds per epoch for just X_b W1 and X_b^T dZ1, the products every implementation must compute."""
    W1 = Trainer(config, splits).network.weights[0]
    n = config.batch_size
    dZ1 = np.ones((n, W1.shape[1]), np.float32)
    began = time.perf_counter()
    for start in range(0, len(splits.X_train) - n + 1, n):
        Xb = splits.X_train[start:start + n]
        Xb @ W1
        Xb.T @ dZ1
    return time.perf_counter() - began

def core_contender(config, splits, X_test, y_test):
    """(run one epoch, test accuracy now) for this project's trainer."""
    trainer = Trainer(config, splits)
    return (lambda: list(trainer.run(1))), (lambda: trainer.network.accuracy(X_test, y_test))


def sklearn_contender(config, splits, X_test, y_test):
    """The same for MLPClassifier: same architecture, Adam, learning rate, batch size, no L2."""
    mlp = MLPClassifier(hidden_layer_sizes=config.hidden, activation="relu", solver="adam", alpha=0.0,
                        batch_size=config.batch_size, learning_rate_init=config.learning_rate, random_state=config.seed)
    return ((lambda: mlp.partial_fit(splits.X_train, splits.y_train, classes=np.arange(10))),
            (lambda: float(np.mean(mlp.predict(X_test) == y_test))))


def report(runs, peaks, config):
    print(f"\n{config.epochs} epochs, 784-{config.hidden[0]}-10 ReLU, Adam lr {config.learning_rate}, batch "
          f"{config.batch_size}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']} "
          "(core uses its cosine schedule; scikit-learn's Adam has a constant rate)")
    print(f"{'':<17} {'s/epoch':>8} {'total':>8} {'to 97%':>14} {'to 98%':>14} {'final':>7} {'peak MB':>8}")
    per_epoch = {}
    for name, results in runs.items():
        seconds = np.array([r[0] for r in results])
        per_epoch[name] = np.median(seconds)
        print(f"{name:<17} {per_epoch[name]:8.2f} {seconds.sum():8.1f} {time_to(results, 0.97):>14} "
              f"{time_to(results, 0.98):>14} {results[-1][1]:7.4f} {peaks[name]:8.1f}")
    ratio = per_epoch["scikit-learn MLP"] / per_epoch["core (NumPy)"]
    print(f"core is {ratio:.2f}x faster per epoch than scikit-learn (median epoch)")


if __name__ == "__main__":
    main()
