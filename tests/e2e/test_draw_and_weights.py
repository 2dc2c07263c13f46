"""In headless Chromium: what the Draw and Weights pages show that only a browser can measure or click."""
from tests.e2e.conftest import click_point, go, screenshot, settle
from tests.e2e.test_browser import draw, prediction

MAIN = "[data-testid=stMain]"


def test_a_thin_one_keeps_the_preprocessing_panels_small(page):
    go(page, "Draw & predict")
    draw(page, [[(140, 40), (140, 240)]])
    page.wait_for_timeout(500)
    settle(page)
    assert prediction(page) == "1"
    page.get_by_text("What the network reads").wait_for(timeout=30_000)
    panels = page.locator(f"{MAIN} [data-testid=stImage] img")
    heights = [panels.nth(i).bounding_box()["height"] for i in range(panels.count())]
    screenshot(page, "draw-thin-one")
    assert len(heights) == 5 and max(heights) <= 300, heights


def test_a_random_test_image_is_shown_where_the_canvas_was(page):
    go(page, "Draw & predict")
    choice = page.locator(f"{MAIN} button", has_text="A random test image")
    choice.click(position={"x": 12, "y": 12})  # its left end: the canvas toolbar may cover its middle
    settle(page)
    first_column = page.locator(f"{MAIN} [data-testid=stColumn]").first
    picture = first_column.locator("[data-testid=stImage] img")
    picture.wait_for(timeout=30_000)
    box = picture.bounding_box()
    screenshot(page, "draw-test-image")
    assert 200 <= box["width"] <= 300 and 200 <= box["height"] <= 300, box


def test_clicking_a_neuron_in_the_grid_opens_it(page):
    go(page, "Weights")
    grid = page.locator(f"{MAIN} [data-testid=stPlotlyChart]").first
    grid.locator(".scatterlayer path.point").nth(37).wait_for(state="attached", timeout=30_000)
    opened = page.locator(f"{MAIN} [data-testid=stNumberInput] input").first
    assert opened.input_value() != "37"
    click_point(page, grid, 37)                       # ordered by number: tile 37 is neuron 37
    assert opened.input_value() == "37"
    page.get_by_text("neuron 37: its 784 weights").wait_for(timeout=30_000)
    screenshot(page, "weights-clicked")
    page.locator(f"{MAIN} button", has_text="by the digit it votes for").click()
    settle(page)
    assert opened.input_value() == "37"               # a new order keeps the open neuron
    screenshot(page, "weights-by-vote")


def test_clicking_a_tile_of_convolution_2_shows_that_slice_at_work(page):
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stSelectbox]").first.click()
    page.locator("[role=option]", has_text="cnn-99").click()
    settle(page)
    go(page, "Weights")
    tiles = page.locator(f"{MAIN} [data-testid=stPlotlyChart]").nth(1)  # convolution 2: 32 filters × 16 maps
    tiles.locator(".scatterlayer path.point").nth(3 * 16 + 5).wait_for(state="attached", timeout=30_000)
    click_point(page, tiles, 3 * 16 + 5)
    page.get_by_text("Filter 3, input map 5 of convolution 2").wait_for(timeout=30_000)
    page.get_by_text("its part of map 3").wait_for(timeout=30_000)
    screenshot(page, "weights-cnn-tiles")
    page.get_by_text("Filter 3, input map 5 of convolution 2").scroll_into_view_if_needed()
    screenshot(page, "weights-cnn-tile-at-work")
