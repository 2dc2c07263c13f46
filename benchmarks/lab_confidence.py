"""How long the lab's "When it doesn't know" takes on the server, for the shipped models fast and cnn-99.

Prints, per model (the two measured in alternation, so they share the machine's load):
  view      the experiment's work from the stored test-set answers: the threshold's numbers, every threshold's
            curve, the reliability bins, the declined digits and both figures as JSON (median of the rounds)
  rerun     one AppTest rerun of the lab page after moving the threshold (the whole script, as a click costs)
  answers   what a model without stored answers (trained or uploaded in the session) costs once: its
            probabilities for the 10,000 test images (core.evaluate.predictions)
  T         "Try temperature scaling", once per model (then cached): the test set's logits and the fit of T

    python benchmarks/lab_confidence.py [--rounds 5]
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

from core.calibration import all_logits, choose, just_below, reliability, risk_coverage, scale_temperature  # noqa: E402
from core.data import load_dataset, to_inputs  # noqa: E402
from core.evaluate import ModelResults, predictions  # noqa: E402
from core.io import load_model  # noqa: E402
from ui.images import digit_grid  # noqa: E402
from ui.lab_confidence_charts import accuracy_coverage, reliability_diagram  # noqa: E402

MODELS = ("fast", "cnn-99")


def view_seconds(results, images, labels, threshold: float) -> float:
    began = time.perf_counter()
    confidence, correct = results.confidence, results.predicted == labels
    choice = choose(confidence, correct, threshold)
    accuracy_coverage(*risk_coverage(confidence, correct), choice).to_json()
    reliability_diagram(reliability(confidence, correct)).to_json()
    declined = just_below(confidence, threshold, 10)
    digit_grid(images[declined] / 255, [str(i) for i in declined], 10)
    return time.perf_counter() - began


def rerun_seconds(model: str, threshold: float) -> float:
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["current_model"] = f"shipped:{model}"
    at.switch_page("pages/lab.py").run()
    at.segmented_control(key="lab_experiment").set_value("When it doesn't know").run()
    began = time.perf_counter()
    at.select_slider(key="reject_threshold").set_value(threshold).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"**{model}** answers" in m.value for m in at.markdown)  # the model asked for, not the default
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    images, labels = load_dataset("mnist", "test")
    X = to_inputs(images)
    shipped = {name: (load_model(ROOT / "weights" / f"{name}.npz")[0],
                      ModelResults.load(ROOT / "weights" / "results" / f"{name}.npz", ROOT / "weights" / f"{name}.npz"))
               for name in MODELS}
    times = {(name, what): [] for name in MODELS for what in ("view", "rerun", "answers", "T")}
    for r in range(rounds):
        for name, (network, results) in shipped.items():
            times[name, "view"].append(view_seconds(results, images, labels, (0.9, 0.99)[r % 2]))
            times[name, "rerun"].append(rerun_seconds(name, (0.99, 0.9)[r % 2]))
            began = time.perf_counter()
            predictions(network, X)
            times[name, "answers"].append(time.perf_counter() - began)
            began = time.perf_counter()
            scale_temperature(all_logits(network, X), labels)
            times[name, "T"].append(time.perf_counter() - began)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; medians of {rounds} rounds")
    for name in MODELS:
        print(f"{name:8s} view {1000 * statistics.median(times[name, 'view']):7.1f} ms   "
              f"rerun {1000 * statistics.median(times[name, 'rerun']):7.1f} ms   "
              f"answers (once per session model) {statistics.median(times[name, 'answers']):6.2f} s   "
              f"T (once per model) {statistics.median(times[name, 'T']):6.2f} s")


if __name__ == "__main__":
    main()
