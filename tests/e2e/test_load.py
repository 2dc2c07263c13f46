"""The short version of benchmarks/load_test.py (support/class_play.py): four browser sessions train and draw on one server at once.

No timings are asserted here (shared machines are noisy); the benchmark prints them.
"""
from concurrent.futures import ThreadPoolExecutor

from support.class_play import run


def test_four_sessions_each_train_their_own_model_and_the_server_goes_idle():
    with ThreadPoolExecutor(1) as pool:  # its own thread: the browser fixtures' event loop stays out of the way
        figures = pool.submit(run, 4).result()
    assert figures["errors"] == 0, figures["error texts"]
    assert figures["own model"] == 4, figures["models"]  # each session ends with a model it trained itself
    assert figures["lost clicks"] == 0, figures["lost click logs"]  # every click took the tab where it asked
    assert figures["server part"][2] >= 4 * 8  # Start, 4 pages, 3 strokes a session: each answer seen on the wire
    assert figures["memory"][1] < 1500  # peak MB; Streamlit Community Cloud gives about 2.7 GB to the whole app
    assert figures["processes"][1] == 0  # no training process left
    assert figures["idle after"] < 60  # seconds until the server uses no CPU: no training left running
