"""In headless Chromium: one neuron up close on the Weights page, seen at 1400×1000 as a learner would."""
from tests.e2e.conftest import SHOTS, click_point, go, settle

MAIN = "[data-testid=stMain]"


def look(page, text: str, name: str):
    """Scroll `text` to the top of a 1400×1000 window and photograph what the learner sees there."""
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.get_by_text(text).first.evaluate("node => node.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(800)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png")


def test_a_neuron_in_words_with_the_images_that_excite_and_silence_it_side_by_side(page):
    go(page, "Weights")
    page.get_by_text("never fire on the 10,000 test images").wait_for(timeout=30_000)
    look(page, "What the neurons learned", "weights-top")
    exciting, silencing = (page.locator(f"{MAIN} .st-key-neuron_{name} img") for name in ("exciting", "silencing"))
    exciting.nth(11).wait_for(timeout=30_000)
    first, other = exciting.first.bounding_box(), silencing.first.bounding_box()
    assert abs(first["y"] - other["y"]) < 2 and other["x"] > first["x"] + 400   # side by side, tops aligned
    assert 45 <= first["width"] <= 120 and silencing.count() == 12               # readable digits, six a row
    look(page, "One neuron up close", "weights-neuron-words")
    page.locator(f"{MAIN} button", has_text="dead first").click()
    page.wait_for_timeout(300)
    settle(page)
    grid = page.locator(f"{MAIN} [data-testid=stPlotlyChart]").first
    grid.scroll_into_view_if_needed()                   # the mouse clicks where the tile is on the screen
    click_point(page, grid, 0)                          # the first dead neuron
    page.get_by_text("dead: never fires on the test images").wait_for(timeout=30_000)
    look(page, "One neuron up close", "weights-neuron-dead")
