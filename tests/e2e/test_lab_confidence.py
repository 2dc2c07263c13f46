"""The lab's "When it doesn't know" in headless Chromium: its charts whole (also on a projector), and the threshold
moved there making Draw & predict say "not sure"."""
from tests.e2e.conftest import go, screenshot, settle
from tests.e2e.test_browser import draw
from tests.e2e.test_projector import DRAWN, OUTSIDE, TOLERANCE

EXPERIMENT = "When it doesn't know"
PLUS = [[(140, 50), (140, 230)], [(50, 140), (230, 140)]]  # a plus sign: no digit, whatever the model says


def open_experiment(page):
    go(page, "The lab")
    choice = page.locator("[data-testid=stMain]").get_by_role("radio", name=EXPERIMENT)
    if choice.get_attribute("aria-checked") != "true":  # a second click would deselect it
        choice.click()
        settle(page)
    page.wait_for_function(DRAWN, timeout=30_000)
    page.wait_for_timeout(300)


def test_the_experiment_shows_whole_charts_and_its_threshold_makes_draw_say_not_sure(page):
    open_experiment(page)
    main = page.locator("[data-testid=stMain]")
    assert main.get_by_text("answers 95.1% of the 10,000 test images").count() == 1  # fast at the default 90 %
    assert page.evaluate(OUTSIDE, TOLERANCE) == []
    main.get_by_text("Try temperature scaling").click()
    main.get_by_text("ECE goes from").wait_for(timeout=30_000)
    settle(page)
    screenshot(page, "lab-confidence")
    slider = main.get_by_role("slider")
    slider.focus()
    page.keyboard.press("End")                                 # the strictest threshold, 99.9 %
    main.get_by_text("answers 68.3% of the 10,000 test images").wait_for(timeout=30_000)  # fast at 99.9 % (the
    settle(page)                                               # slider sends its value a moment after the key)
    go(page, "Draw & predict")
    draw(page, PLUS)
    page.get_by_text("not sure").first.wait_for(timeout=30_000)
    settle(page)
    assert main.get_by_text("Below the 99.9% threshold").count() == 1
    screenshot(page, "lab-confidence-draw-not-sure")


def test_in_presenter_mode_its_charts_stay_inside_their_boxes(page):
    page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
    settle(page)
    for width, height in ((1920, 1080), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        open_experiment(page)
        assert page.evaluate(OUTSIDE, TOLERANCE) == []
    screenshot(page, "lab-confidence-presenter")
