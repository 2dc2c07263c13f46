"""The short version of benchmarks/load_test.py (support/class_play.py): four browser sessions train and draw on one server at once.

No timings are asserted here (shared machines are noisy); the benchmark prints them.
"""
import sys
from concurrent.futures import ThreadPoolExecutor

from support.class_play import run


def test_four_sessions_each_train_their_own_model_and_the_server_goes_idle():
    with ThreadPoolExecutor(1) as pool:  # its own thread: the browser fixtures' event loop stays out of the way
        figures = pool.submit(run, 4).result()
    assert figures["errors"] == 0, figures["error texts"]
    assert figures["own model"] == 4, figures["models"]  # each session ends with a model it trained itself
    for log in figures["lost click logs"]:
        print("lost click:", log, file=sys.stderr)  # the whole log: an assertion's message is cut
    # Every click made the server run what it asked for. A page the server ran to the end while the tab kept the
    # page it left is Streamlit's frontend (RELIABILITY.md, "Lost clicks"); it is counted and printed, not asserted.
    assert figures["lost clicks"] == 0, figures["lost click logs"]
    # Start, 4 pages and 3 strokes a session: 32 answers seen on the wire, less the requests Streamlit merged into
    # one run (a click on a page while a stroke or a timer's request waits); 31 seen once in a busy run
    assert figures["server part"][2] >= 4 * 7
    assert figures["memory"][1] < 1500  # peak MB; Streamlit Community Cloud gives about 2.7 GB to the whole app
    assert figures["processes"][1] == 0  # no training process left
    assert figures["idle after"] < 60  # seconds until the server uses no CPU: no training left running
