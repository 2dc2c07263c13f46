"""How long the lab's Maps of the layers take to compute, once per model (PCA, every layer) and per layer (t-SNE).

Both are cached for everyone afterwards (st.cache_resource); this measures the first visitor's wait.

    python benchmarks/lab_maps_speed.py [--models fast cnn-99] [--tsne-layers 0 -1]
"""
import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from core.io import load_model  # noqa: E402
from core.nn.maps import map_layers  # noqa: E402
from ui import layer_maps  # noqa: E402
from ui.resources import dataset  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["fast", "cnn-99"])
    parser.add_argument("--tsne-layers", nargs="+", type=int, default=[0, -1], help="positions in the Layer list")
    args = parser.parse_args()
    data = dataset("mnist")
    np.linalg.svd(np.ones((2000, 800)))  # warm up: a fresh process's first large allocations are slow
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for name in args.models:
        net, _ = load_model(ROOT / "weights" / f"{name}.npz")
        layers = map_layers(net)
        began = time.perf_counter()
        layer_maps.pca_maps(f"bench:{name}:{began}", "", net, data)   # a new key: computed, not read from the cache
        print(f"{name}: PCA maps of all {len(layers)} layers {time.perf_counter() - began:6.1f} s")
        for position in args.tsne_layers:
            layer = position % len(layers)
            began = time.perf_counter()
            layer_maps.tsne_map(f"bench:{name}:{began}", "", layer, net, data)
            print(f"{name}: t-SNE of {layers[layer][0]:<32} {time.perf_counter() - began:6.1f} s")


if __name__ == "__main__":
    main()
