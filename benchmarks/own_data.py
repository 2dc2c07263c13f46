"""How long reading the learner's own data takes, and its peak memory, at the Kaggle train.csv's size.

    python benchmarks/own_data.py [--rows 42000]

A Kaggle-layout CSV (gzipped: the raw 73 MB is over the 50 MB upload limit) and an IDX pair of MNIST's first `rows` training images, read by core.owndata.read_upload
(the Train page's upload) several times in turn; then once each under tracemalloc for its peak allocation.
"""
import argparse
import gzip
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.data import load_mnist  # noqa: E402
from core.owndata import read_upload  # noqa: E402


def kaggle_csv(images, labels) -> bytes:
    out = io.BytesIO()
    np.savetxt(out, np.column_stack([labels, images.reshape(len(images), -1)]), fmt="%d", delimiter=",",
               header=",".join(["label"] + [f"pixel{i}" for i in range(784)]), comments="")
    return out.getvalue()


def idx(array) -> bytes:
    return bytes([0, 0, 8, array.ndim]) + np.array(array.shape, ">u4").tobytes() + array.tobytes()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=42_000)  # Kaggle's digit-recognizer train.csv
    parser.add_argument("--repeats", type=int, default=3)
    rows = parser.parse_args().rows
    images, labels = (a[:rows] for a in load_mnist("train"))
    uploads = {"Kaggle CSV (.gz)": [("train.csv.gz", gzip.compress(kaggle_csv(images, labels)))],
               "IDX pair (.gz)": [("images.gz", gzip.compress(idx(images))), ("labels", idx(labels))]}
    load = os.getloadavg()[0]
    print(f"{rows:,} images; load average {load:.1f} on {os.cpu_count()} cores")
    times = {name: [] for name in uploads}
    for _ in range(parser.parse_args().repeats):
        for name, files in uploads.items():  # in turn, so a change in the machine's load touches both
            began = time.perf_counter()
            read_upload(files)
            times[name].append(time.perf_counter() - began)
    for name, files in uploads.items():
        tracemalloc.start()
        read_upload(files)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        size = sum(len(raw) for _, raw in files)
        print(f"{name:16} {size / 2**20:6.1f} MB file(s): best {min(times[name]):.2f} s, median "
              f"{sorted(times[name])[len(times[name]) // 2]:.2f} s; peak allocation {peak / 2**20:,.0f} MB")


if __name__ == "__main__":
    main()
