"""Core's predictions reproduced by a second runtime: every shipped model exported to ONNX (serving/export.py) and
run in ONNX Runtime on the 10,000 test images of its dataset, beside core's own forward pass.

Prints, per model, how many of the 10,000 predictions agree, the largest |Δp| of any probability, and the time
each takes to predict all 10,000 (one thread each, the best of --repeats runs taken alternately, after a warm-up).

    pip install -r serving/requirements.txt
    python benchmarks/onnx_agreement.py [--repeats 3]
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--repeats", type=int, default=3, help="timed runs of each (default 3)")
args = parser.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy loads

import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnxruntime  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.data import load_dataset, to_inputs  # noqa: E402
from core.io import load_model  # noqa: E402
from serving.export import INPUT, OUTPUT, onnx_model  # noqa: E402


def seconds(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main():
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    test_sets = {name: to_inputs(load_dataset(name, "test")[0]) for name in ("mnist", "fashion-mnist")}
    print(f"ONNX Runtime {onnxruntime.__version__}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'model':<20} {'dataset':<14} {'agree':>13} {'max |Δp|':>9} {'core s':>7} {'ONNX s':>7}")
    for path in sorted((ROOT / "weights").glob("*.npz")):
        network, meta = load_model(path)
        X = test_sets[meta["dataset"]]
        session = onnxruntime.InferenceSession(onnx_model(network, meta, path.stem).SerializeToString(), options,
                                               providers=["CPUExecutionProvider"])
        P_core, P_onnx = network.predict_proba(X), session.run([OUTPUT], {INPUT: X})[0]  # also the warm-up
        agree = int(np.sum(P_core.argmax(axis=1) == P_onnx.argmax(axis=1)))
        core_times, onnx_times = [], []
        for _ in range(args.repeats):  # alternately, so a busy machine slows both alike
            core_times.append(seconds(lambda: network.predict_proba(X)))
            onnx_times.append(seconds(lambda: session.run([OUTPUT], {INPUT: X})))
        print(f"{path.stem:<20} {meta['dataset']:<14} {agree:>6,} / {len(X):,} {np.abs(P_core - P_onnx).max():>9.1e} "
              f"{min(core_times):>7.3f} {min(onnx_times):>7.3f}")


if __name__ == "__main__":
    main()
