"""How long the lab's "Compare runs" takes on the server: the whole script run of the lab page (sidebar included)
with the shipped dense model `fast` or the CNN `cnn-99` current, measured alternately so both share the load, and
what a session model adds the first time it is compared (its answers on the 10,000 test images, then kept).

    python benchmarks/lab_runs_speed.py [--repeats 5]
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

from core.data import load_dataset, to_inputs  # noqa: E402
from core.evaluate import predictions  # noqa: E402
from core.io import load_model  # noqa: E402

MODELS = ("fast", "cnn-99")


def lab_page(current: str):
    """An AppTest session on the lab page showing Compare runs, with a shipped model current."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest
    PagesManager.uses_pages_directory = False  # as tests/conftest.py: the navigation path, as a real server settles
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["current_model"] = f"shipped:{current}"
    at.switch_page("pages/lab.py").run()
    at.segmented_control(key="lab_experiment").set_value("Compare runs").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    pages = {name: lab_page(name) for name in MODELS}  # warm: the shared caches are loaded once per process
    times = {name: [] for name in MODELS}
    for _ in range(args.repeats):
        for name in MODELS:
            began = time.perf_counter()
            page = pages[name].run()
            times[name].append(time.perf_counter() - began)
            assert page.get("plotly_chart") and page.multiselect(key="runs_chosen").value[0] == f"shipped:{name}"
    X = to_inputs(load_dataset("mnist", "test")[0])
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print("current model   lab page with Compare runs (median s)   a session copy's first comparison (s)")
    for name in MODELS:
        network, _ = load_model(ROOT / "weights" / f"{name}.npz")
        began = time.perf_counter()
        predictions(network, X)
        first = time.perf_counter() - began
        print(f"{name:15} {statistics.median(times[name]):38.2f}   {first:37.2f}")


if __name__ == "__main__":
    main()
