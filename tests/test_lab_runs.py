"""The lab's "Compare runs": two runs trained in the session, their table row, curves and confusion matrices, each
against core's own numbers."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.evaluate import confusion_matrix, predictions
from core.io import load_model
from tests.test_pages import TIMEOUT, array, figure, open_page, start_training
from tests.test_weights import WEIGHTS


def open_runs(at):
    """The lab, on Compare runs."""
    open_page(at, "lab")
    at.segmented_control(key="lab_experiment").set_value("Compare runs").run()


@pytest.fixture(scope="module")
def two_runs():
    """One session with two finished runs: Run 1 (32 hidden, Adam, 2 epochs), Run 2 (16 hidden, SGD, 3 epochs)."""
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    jobs = [start_training(at, hidden="32", epochs=2),
            start_training(at, hidden="16", epochs=3, optimizer="sgd", lr=0.1)]
    assert [job.status for job in jobs] == ["done", "done"], [job.message for job in jobs]
    open_runs(at)
    assert not at.exception, [e.value for e in at.exception]
    runs = [m for m in at.session_state["session_models"].values()]
    return at, jobs, runs


def test_the_table_lists_both_runs_first_with_their_settings_time_and_accuracy(two_runs, mnist_test):
    at, jobs, runs = two_runs
    X, y = mnist_test
    table = at.dataframe[0].value
    first = table.iloc[:2]
    assert list(first["model"]) == ["Run 1", "Run 2"] and list(first["from"]) == ["this session"] * 2
    assert list(first["architecture"]) == ["784 → 32 → 10", "784 → 16 → 10"]
    assert list(first["optimiser"]) == ["adam", "sgd"] and first["learning rate"].iloc[1] == 0.1
    assert list(first["epochs"]) == [2, 3] and list(first["training images"]) == ["1000", "1000"]
    assert list(first["training time (s)"]) == [round(job.trainer.elapsed, 2) for job in jobs]
    accuracies = [np.mean(predictions(run.network, X)[0] == y) for run in runs]  # core's own count
    assert list(first["test accuracy"]) == [round(a, 4) for a in accuracies]
    assert accuracies == pytest.approx([job.test_accuracy for job in jobs])  # what the worker measured
    assert set(table["from"].iloc[2:]) == {"shipped"} and len(table) == 2 + len(list(WEIGHTS.glob("*.npz")))
    at.toggle(key="runs_shipped").set_value(False).run()  # the session's runs alone
    assert list(at.dataframe[0].value["model"]) == ["Run 1", "Run 2"]
    at.toggle(key="runs_shipped").set_value(True).run()


def test_the_overlaid_curves_are_the_recorded_histories_one_colour_per_run(two_runs):
    at, jobs, _ = two_runs
    assert at.multiselect(key="runs_chosen").value == list(at.session_state["session_models"])
    for chart, fields in (("runs_loss", ("train_loss", "val_loss")), ("runs_accuracy", ("train_accuracy",
                                                                                         "val_accuracy"))):
        traces = figure(at, chart)["data"]
        assert [t["name"] for t in traces] == ["Run 1", "Run 1", "Run 2", "Run 2"]
        assert traces[0]["line"]["color"] == traces[1]["line"]["color"] != traces[2]["line"]["color"]
        for job, pair in zip(jobs, (traces[:2], traces[2:])):
            for trace, field in zip(pair, fields):
                assert np.array_equal(array(trace["x"]), [e.epoch for e in job.trainer.history])
                assert np.allclose(array(trace["y"]), [getattr(e, field) for e in job.trainer.history], atol=1e-5)


def test_two_runs_confusion_matrices_share_a_scale_and_the_sentence_names_the_cell_that_differs_most(two_runs,
                                                                                                      mnist_test):
    at, _, runs = two_runs
    X, y = mnist_test
    C = [confusion_matrix(y, predictions(run.network, X)[0]) for run in runs]
    heatmaps = [figure(at, key)["data"][0] for key in ("runs_confusion_a", "runs_confusion_b")]
    for heatmap, expected in zip(heatmaps, C):
        assert np.array_equal(array(heatmap["text"]), expected)
    assert heatmaps[0]["zmax"] == heatmaps[1]["zmax"] == pytest.approx(np.log1p(max(C[0].max(), C[1].max())))
    difference = np.abs(C[0] - C[1]) * (1 - np.eye(10, dtype=int))
    true, said = np.unravel_index(difference.argmax(), difference.shape)
    (more, many), (fewer, few) = sorted([("Run 1", C[0][true, said]), ("Run 2", C[1][true, said])],
                                        key=lambda p: -p[1])
    sentence = next(m.value for m in at.markdown if m.value.startswith("Where they differ most"))
    assert sentence.startswith(f"Where they differ most: a {true} read as {said}: **{more}** {many} times, "
                               f"**{fewer}** only {few};")


def test_without_runs_it_says_so_and_compares_the_shipped_models():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    open_runs(at)
    assert any("No runs in this session yet" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert len(table) == len(list(WEIGHTS.glob("*.npz"))) and set(table["from"]) == {"shipped"}
    assert list(table["test accuracy"].iloc[:1]) == [0.981]  # fast, as weights/README.md records it
    assert at.multiselect(key="runs_chosen").value == ["shipped:fast", "shipped:3b1b-16-16"]


def test_a_run_on_own_data_and_an_uploaded_file_without_settings_or_curve_are_described_as_such():
    from ui.resources import ModelEntry
    network, _ = load_model(WEIGHTS / "tutorial-10-10.npz")
    own = ModelEntry("trained:1:1", "Run 1 · upload:mine.csv · 2 epochs · 90.0%", network,
                     {"activation": "relu", "upload": {"file": "mine.csv", "rows": 600, "test": 60}})
    bare = ModelEntry("uploaded:abc", "old (uploaded)", network, {"activation": "relu"})
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    at.session_state["session_models"] = {own.key: own, bare.key: bare}
    open_runs(at)
    rows = at.dataframe[0].value.iloc[:2]
    assert at.multiselect(key="runs_chosen").value == [own.key, bare.key], at.multiselect(key="runs_chosen").value
    assert list(rows["dataset"]) == ["mine.csv (tested on MNIST)", "MNIST"]
    assert list(rows["from"]) == ["this session", "uploaded"] and rows["optimiser"].isna().all()
    assert "Run 1, old (uploaded): no training curve in the model file." in [c.value for c in at.caption]
    assert "runs_loss" not in str([c.proto.id for c in at.get("plotly_chart")])


def test_models_of_different_datasets_overlay_their_curves_but_do_not_compare_mistakes():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    open_runs(at)
    at.multiselect(key="runs_chosen").set_value(["shipped:fast", "shipped:fashion-fast"]).run()
    assert [t["name"] for t in figure(at, "runs_accuracy")["data"]] == ["fast", "fast", "fashion-fast", "fashion-fast"]
    assert any("learned different datasets" in i.value for i in at.info)
    assert not any("runs_confusion" in c.proto.id for c in at.get("plotly_chart"))
