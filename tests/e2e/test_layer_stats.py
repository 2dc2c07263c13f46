"""The Train page's layer statistics in a real browser: they appear while it trains and stay after it stops."""
from tests.e2e.conftest import SHOTS, go, settle

CHARTS = ("weight_rms", "grad_rms", "update_ratio", "dead_share")


def test_layer_statistics_grow_live_and_stay_after_stopping(page):
    go(page, "Train")
    main = page.locator("[data-testid=stMain]")
    main.get_by_role("button", name="Start").click()
    ratio = ".st-key-layer_stats_update_ratio .js-plotly-plot"
    page.wait_for_function(f"() => document.querySelector('{ratio}')", timeout=60_000)
    for name in CHARTS:
        page.locator(f".st-key-layer_stats_{name} .js-plotly-plot").first.wait_for(timeout=10_000)
    # the epochs of layer 1's line: a typed array, or still Plotly's {dtype: "f4", bdata: base64} as sent
    points = ("() => { const x = document.querySelectorAll('%s')[0].data[0].x; "
              "return x.length ?? atob(x.bdata).length / 4; }" % ratio)
    first = page.evaluate(points)
    page.wait_for_timeout(2500)
    assert page.evaluate(points) > first > 0  # the lines grow while it trains
    SHOTS.mkdir(parents=True, exist_ok=True)
    main.get_by_role("button", name="Pause").click()  # still the live view, but its charts no longer change
    page.wait_for_timeout(2500)
    main.get_by_text("Inside each layer").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "train-layer-stats-paused.png")
    main.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped at epoch").wait_for(timeout=30_000)
    settle(page)
    for name in CHARTS:  # a stopped run still shows what it recorded
        assert page.locator(f".st-key-layer_stats_{name} .js-plotly-plot").count() == 1, name
    main.get_by_text("Inside each layer").scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / "train-layer-stats-stopped.png")
