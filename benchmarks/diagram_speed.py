"""How long the living diagram takes to make, per shipped model: what the server does for each new digit on Home
and Draw, and for each live picture on Train.

For each model: core's contributions() for one test image, the Plotly figure (ui.diagram), its JSON (what
Streamlit sends), and that JSON's size. Models alternate within every round, so a busy machine slows all alike;
prints medians.

    python benchmarks/diagram_speed.py [--repeats 30]
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

from core.data import DATASETS, load_mnist, to_inputs  # noqa: E402
from core.io import load_model  # noqa: E402
from core.nn.explain import contributions  # noqa: E402
from ui.diagram import living_diagram  # noqa: E402

MODELS = {"fast": "the default, 784-256-10 (the widest dense layer shipped)", "3b1b-16-16": "784-16-16-10",
          "lenet": "CNN 6 and 16 maps, 120, 84", "cnn-99": "CNN 16 and 32 maps, 128 (the widest CNN)"}


def one_diagram(network, x) -> tuple:
    """(seconds for contributions, for the figure, for its JSON; the JSON's bytes) of one image's diagram."""
    began = time.perf_counter()
    flow = contributions(network, x)
    computed = time.perf_counter()
    fig = living_diagram(flow, network.activation, network.output, DATASETS["mnist"].classes)
    drawn = time.perf_counter()
    sent = fig.to_json()
    return computed - began, drawn - computed, time.perf_counter() - drawn, len(sent)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    X = to_inputs(load_mnist("test")[0][:args.repeats])
    networks = {name: load_model(ROOT / "weights" / f"{name}.npz")[0] for name in MODELS}
    times = {name: [] for name in MODELS}
    for name, network in networks.items():                      # warm up: first allocations and imports are slow
        one_diagram(network, X[0])
    for x in X:                                                 # a new digit each round, every model in turn
        for name, network in networks.items():
            times[name].append(one_diagram(network, x))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.repeats} digits, medians\n")
    print(f"{'model':<12} {'core ms':>8} {'figure ms':>10} {'JSON ms':>8} {'total ms':>9} {'sent kB':>8}   network")
    for name, rows in times.items():
        core, figure, json, size = (statistics.median(column) for column in zip(*rows))
        print(f"{name:<12} {1e3 * core:8.1f} {1e3 * figure:10.1f} {1e3 * json:8.1f} "
              f"{1e3 * (core + figure + json):9.1f} {size / 1e3:8.1f}   {MODELS[name]}")


if __name__ == "__main__":
    main()
