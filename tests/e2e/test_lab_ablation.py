"""The lab's "Silence neurons" in headless Chromium: one click silences ten neurons, every chart whole, also on a
projector (presenter mode)."""
from tests.e2e.conftest import go, screenshot, settle
from tests.e2e.test_projector import DRAWN, OUTSIDE, TOLERANCE, shot

EXPERIMENT = "[data-testid=stButtonGroup] button"  # the segmented control that picks an experiment


def test_silencing_the_ten_most_important_neurons_shows_the_drop_and_fits_a_projector(page):
    main = page.locator("[data-testid=stMain]")
    go(page, "The lab")
    main.locator(EXPERIMENT, has_text="Silence neurons").click()
    settle(page)
    main.get_by_role("button", name="Silence the 10 most important").click()
    after = main.locator("[data-testid=stMetric]", has_text="After")
    after.get_by_text("-0.77 points").wait_for(timeout=60_000)      # fast: 98.10% -> 97.33% on 10,000 images
    settle(page)
    page.wait_for_function(DRAWN, timeout=30_000)
    assert "97.33%" in after.inner_text()
    assert main.locator(".st-key-ablation_classes .js-plotly-plot").count() == 1
    screenshot(page, "lab-silence-neurons")
    page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
    settle(page)
    for width, height in ((1920, 1080), (1280, 720)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(DRAWN, timeout=30_000)
        page.wait_for_timeout(300)
        assert page.evaluate(OUTSIDE, TOLERANCE) == []
        shot(page, "lab-silence-neurons", width)


def test_the_cnn_silences_filters_on_its_first_thousand_test_images(page):
    sidebar, main = page.locator("[data-testid=stSidebar]"), page.locator("[data-testid=stMain]")
    sidebar.locator("[data-testid=stSelectbox]").first.click()
    page.locator("[role=option]", has_text="cnn-99").click()
    settle(page)
    go(page, "The lab")
    main.locator(EXPERIMENT, has_text="Silence neurons").click()
    settle(page)
    main.get_by_role("button", name="Silence 10 random ones").click()
    main.get_by_text("convolution 1 (filters):").wait_for(timeout=60_000)
    settle(page)
    main.get_by_text("Scale or set one weight").click()
    page.wait_for_function(DRAWN, timeout=30_000)
    assert main.get_by_text("Test accuracy before (1,000 images)").count() == 1
    screenshot(page, "lab-silence-filters-cnn")
