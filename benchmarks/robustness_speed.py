"""How long the lab's "Stress it" takes: one slider move (spoil the digit, predict, draw the two figures) and
the first visitor's test-set curve of each perturbation (later visitors get it from the cache), per model.

    python benchmarks/robustness_speed.py [--repeats 20]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.data import load_mnist  # noqa: E402
from core.evaluate import SHIFT_IMAGES  # noqa: E402
from core.io import load_model  # noqa: E402
from core.perturb import CURVES, accuracy_under, spoil  # noqa: E402
from ui import charts  # noqa: E402


def slider_move_ms(network, image, repeats: int) -> float:
    times = []
    for i in range(repeats):
        began = time.perf_counter()
        spoilt = spoil(image, 0.2, 5 * (i % 10), 1, 2, -1, 6, 9, 9)
        P = network.predict_proba(spoilt.reshape(1, 784))[0]
        charts.digit(spoilt, "digit", zmax=1).to_json()
        charts.probabilities(P, int(P.argmax())).to_json()
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    images, labels = load_mnist("test")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; curves on the first {SHIFT_IMAGES:,} "
          "test images (shift: shipped with the model, not computed by the page)")
    for name in ("fast", "cnn-99"):
        network, _ = load_model(ROOT / "weights" / f"{name}.npz")
        row = [f"{name:7} slider move {slider_move_ms(network, images[0] / 255, args.repeats):6.1f} ms"]
        for curve in CURVES:
            began = time.perf_counter()
            accuracy_under(network, images[:SHIFT_IMAGES], labels[:SHIFT_IMAGES], curve)
            row.append(f"{curve} {time.perf_counter() - began:5.2f} s")
        print(" | ".join(row), flush=True)


if __name__ == "__main__":
    main()
