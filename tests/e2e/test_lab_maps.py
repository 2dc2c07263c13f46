"""In headless Chromium: the lab's Maps of the layers, and a click on a point that shows its digit beside the map."""
from tests.e2e.conftest import SHOTS, click_point, go, settle

MAIN = "[data-testid=stMain]"


def test_a_click_on_a_point_of_the_layer_map_shows_that_digit_beside_it(page):
    go(page, "The lab")
    page.locator(f"{MAIN} button", has_text="Maps of the layers").click()
    settle(page)
    chart = page.locator(f"{MAIN} [data-testid=stPlotlyChart]").first       # the map; the clicked digit comes second
    chart.locator(".scatterlayer path.point").nth(100).wait_for(timeout=60_000)
    chart.scroll_into_view_if_needed()
    click_point(page, chart, 100)
    title = page.locator(f"{MAIN} [data-testid=stPlotlyChart]").nth(1).locator(".gtitle")
    title.wait_for(timeout=30_000)
    assert title.text_content().startswith("test digit #")   # SVG text: no inner_text
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_text("Layer").first.evaluate("node => node.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "lab-maps.png")
