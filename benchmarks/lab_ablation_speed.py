"""How long the lab's "Silence neurons" takes: the measurements behind its figures, and a whole edit through AppTest.

    python benchmarks/lab_ablation_speed.py [--repeats 3]

Prints, for the shipped dense model `fast` and the CNN `cnn-99`: the test accuracy of an edited copy on 10,000 and
on the 1,000 test images the page uses for a CNN, the ranking behind "the 10 most important" (once per model, then
cached), and one click of "10 random ones" as the page does it (AppTest: the whole rerun, cached figures warm).
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

from core.data import load_mnist, to_inputs  # noqa: E402
from core.io import load_model  # noqa: E402
from core.nn.ablation import Edits, edited, importance  # noqa: E402


def seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def page_click_seconds(model: str, repeats: int) -> float:
    """One click of "10 random ones" on the page, a new set each time (its figures are not cached yet)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    next(box for box in at.sidebar.selectbox if box.label == "Current model").set_value(model).run()
    at.switch_page("pages/lab.py").run()
    at.segmented_control(key="lab_experiment").set_value("Silence neurons").run()
    return seconds(lambda: at.button(key="ablation_random").click().run(), repeats)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    images, labels = load_mnist("test")
    X = to_inputs(images)
    X[:2000].copy()  # warm the allocator (see DESIGN.md: a fresh process's first large arrays are slow)
    print(f"{'model':8} {'edit + accuracy, 10,000':>24} {'1,000':>8} {'ranking (page images)':>22} {'page click':>11}")
    for name, page_images in (("fast", 10000), ("cnn-99", 1000)):
        network = load_model(ROOT / "weights" / f"{name}.npz")[0]
        edits = Edits().silence(0, range(10))
        full = seconds(lambda: edited(network, edits).accuracy(X, labels), repeats)
        part = seconds(lambda: edited(network, edits).accuracy(X[:1000], labels[:1000]), repeats)
        rank = seconds(lambda: importance(network, X[:page_images], labels[:page_images], 0), 1)
        click = page_click_seconds(f"shipped:{name}", repeats)
        print(f"{name:8} {full:23.2f}s {part:7.2f}s {rank:21.2f}s {click:10.2f}s")


if __name__ == "__main__":
    main()
