"""The short version of benchmarks/class_load.py: a class of browserless learners (support/learner.py) on one app
process, and through HAProxy on two. No timings are asserted (shared machines are noisy); the benchmark prints them."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from support.class_lesson import DIGITS, START, run
from support.learner import LIVE_UPDATE, Learner

LEARNERS = 6


@pytest.mark.parametrize("balanced", [0, 2], ids=["one process", "two behind HAProxy"])
def test_a_class_without_browsers_trains_draws_and_leaves_nothing_running(balanced):
    with ThreadPoolExecutor(1) as pool:  # its own thread: the browser fixtures' event loop stays out of the way
        figures = pool.submit(run, LEARNERS, arrive_over=5, balanced=balanced).result()
    assert figures["errors"] == 0, figures["error texts"]  # no exception on a page, no lost message
    assert figures["own model"] == LEARNERS  # each ends with a model it trained itself, never another's
    assert figures["predictions"] == LEARNERS * DIGITS  # every drawing answered with a prediction
    times = figures["times"]
    for kind in ("open home", "open train (a link)", START, "open draw", "open weights", "open evaluate"):
        assert len(times[kind]) == LEARNERS, kind  # each request answered once, by a run of its own page
    assert len(times["drawing -> prediction"]) == LEARNERS * DIGITS
    assert times[LIVE_UPDATE]  # the Train page's timers asked for live updates and got them
    assert figures["memory"][1] < 1500  # peak MB of the app and its trainings
    assert figures["trainings"] == (figures["trainings"][0], 0) and figures["trainings"][0] >= 1  # none left
    assert figures["idle after"] < 60
    if balanced:
        assert sorted(figures["spread"]) == ["app1", "app2"]  # the learners were spread over both processes
        assert sum(figures["spread"].values()) == LEARNERS


def test_a_page_seen_again_comes_as_references_to_what_the_learner_keeps_and_reads_the_same(server):
    """The frontend names the large messages it keeps; the server sends a repeated one as a reference to it."""
    async def twice():
        async with Learner(server) as learner:
            return learner, await learner.open("weights"), await learner.open("weights")
    with ThreadPoolExecutor(1) as pool:  # its own thread: the browser fixtures' event loop stays out of the way
        learner, first, again = pool.submit(asyncio.run, twice()).result()
    assert learner.references > 0
    assert "plotly_chart" in first.elements
    assert again.elements == first.elements and again.texts == first.texts
