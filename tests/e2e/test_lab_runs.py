"""The lab's Compare runs in headless Chromium: a run of the session beside the shipped models, its charts drawn and
whole, on a normal screen and in presenter mode on a projector."""
from tests.e2e.conftest import go, recording_console, screenshot, settle
from tests.e2e.test_projector import DRAWN, OUTSIDE, TINY_TRAINING, TOLERANCE, shot


def open_compare_runs(tab):
    go(tab, "The lab")
    if not tab.locator(".st-key-runs_table").count():  # another experiment is on show (a click on ours would unpick it)
        tab.locator("[data-testid=stMain] button", has_text="Compare runs").click()
        settle(tab)
    tab.wait_for_function(DRAWN, timeout=30_000)  # Plotly draws after the script run is over
    tab.wait_for_timeout(300)


def test_a_run_of_the_session_is_compared_with_a_shipped_model_and_every_chart_is_whole(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = context.new_page()
    tab.goto(server + TINY_TRAINING)  # a deep link's first probes of the address's folder answer 404: not recorded
    settle(tab)
    recording_console(tab)
    tab.locator("[data-testid=stMain]").get_by_role("button", name="Start").click()
    tab.get_by_text("Finished:").wait_for(timeout=60_000)
    settle(tab)
    open_compare_runs(tab)
    main = tab.locator("[data-testid=stMain]")
    for chart in ("runs_loss", "runs_accuracy", "runs_confusion_a", "runs_confusion_b"):
        assert main.locator(f".st-key-{chart} .js-plotly-plot").count() == 1, chart
    assert main.get_by_text("Where they differ most").count() == 1
    assert tab.evaluate(OUTSIDE, TOLERANCE) == []
    screenshot(tab, "lab-compare-runs")
    tab.set_viewport_size({"width": 1280, "height": 720})
    tab.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
    settle(tab)
    open_compare_runs(tab)
    assert tab.evaluate(OUTSIDE, TOLERANCE) == []
    shot(tab, "lab-compare-runs", 1280)
    context.close()
    assert tab.console_errors == [], tab.console_errors
