"""What augmentation buys: test accuracy, the robustness curves (core.perturb.CURVES, first 1,000 test images) and
the accuracy on the digits drawn in the browser (tests/data/drawn_digits.npz) for each model file given.

    python -m core.train --preset fast --seed 0 --augment --out /tmp/fast-augmented.npz
    python benchmarks/augment_effect.py weights/fast.npz /tmp/fast-augmented.npz
"""
import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core.data import load_mnist, to_inputs  # noqa: E402
from core.evaluate import SHIFT_IMAGES  # noqa: E402
from core.io import load_model  # noqa: E402
from core.perturb import CURVES, accuracy_under  # noqa: E402

DRAWN = ROOT / "tests" / "data" / "drawn_digits.npz"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="model files (.npz)")
    args = parser.parse_args()
    images, labels = load_mnist("test")
    with np.load(DRAWN) as drawn:
        drawn_images, drawn_labels = drawn["images"], drawn["labels"]
    for path in args.models:
        network, meta = load_model(path)
        config = meta.get("config", {})
        print(f"{Path(path).name}: augment={config.get('augment', False)}, seed {config.get('seed')}, "
              f"{meta.get('epochs_trained')} epochs; test accuracy {network.accuracy(to_inputs(images), labels):.4f}; "
              f"drawn digits {network.accuracy(to_inputs(drawn_images), drawn_labels):.3f} of {len(drawn_labels)}")
        for name, (_, strengths, _) in CURVES.items():
            curve = accuracy_under(network, images[:SHIFT_IMAGES], labels[:SHIFT_IMAGES], name)
            print(f"  {name:9} " + "  ".join(f"{s}: {a:.3f}" for s, a in zip(strengths, curve)))


if __name__ == "__main__":
    main()
