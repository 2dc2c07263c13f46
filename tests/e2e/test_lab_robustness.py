"""The lab's "Stress it" in a real browser: a slider moved with the keyboard spoils the digit and the page follows."""
from tests.e2e.conftest import go, screenshot, settle


def test_turning_the_digit_with_a_slider_redraws_it_and_the_curves_show_the_dense_and_the_convolutional_model(page):
    go(page, "The lab")
    page.locator("[data-testid=stMain]").get_by_text("Stress it").first.click()
    settle(page)
    page.locator(".st-key-robust_curves .js-plotly-plot").wait_for(timeout=60_000)
    slider = page.locator(".st-key-robust_degrees input[type=range]")
    slider.focus()
    for _ in range(9):                                   # 9 steps of 5 degrees
        slider.press("ArrowRight")
    page.wait_for_timeout(500)
    settle(page)
    assert slider.get_attribute("aria-valuetext") == "45"
    assert "45" in page.locator(".st-key-robust_degrees [data-testid=stSliderThumbValue]").inner_text()
    assert page.locator(".st-key-robust_digit .js-plotly-plot").count() == 1
    legend = page.locator(".st-key-robust_curves .legend .traces")
    assert [legend.nth(i).text_content().split(" · ")[0] for i in range(legend.count())] == ["fast", "cnn-99"]
    screenshot(page, "lab-stress-it")
