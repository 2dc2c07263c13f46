"""In headless Chromium: the living diagram's hover (a node's equation) and click (the node opens below)."""
import re

from tests.e2e.conftest import click_point, go, screenshot, settle
from tests.e2e.test_browser import draw, prediction

MAIN = "[data-testid=stMain]"


def hover(page, chart, i: int) -> str:
    """Move the mouse onto the i-th node of a chart and return the hover label's text."""
    node = chart.locator(".scatterlayer path.point").nth(i)
    node.wait_for(state="attached", timeout=30_000)
    box = node.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(f"{MAIN} .hoverlayer .hovertext").first.wait_for(timeout=10_000)
    return " ".join(page.locator(f"{MAIN} .hoverlayer .hovertext").first.locator("text").all_text_contents())


def test_on_home_a_neurons_hover_shows_its_equation_and_a_click_opens_its_weights(page):
    chart = page.locator(f"{MAIN} .st-key-home_diagram .js-plotly-plot")
    page.get_by_text("Output 7: its inputs added").wait_for(timeout=30_000)  # test image #0, a 7, opens on its answer
    label = hover(page, chart, 1 + 16)   # the ring around the open node, 16 pixels, then the first hidden neuron
    found = re.search(r"neuron (\d+) of layer 1\s*a = relu\(z\) = ([\d.]+)\s*z = Σ w·a \+ b = [-\d.]+ [−+] [\d.]+ = "
                      r"([-\d.]+)\s*largest inputs: pixel", label)  # one line each
    assert found, label
    screenshot(page, "home-diagram-hover")
    click_point(page, chart, 1 + 16)
    neuron = found.group(1)
    page.get_by_text(f"Neuron {neuron} of layer 1: its inputs added").wait_for(timeout=30_000)
    page.get_by_text(f"neuron {neuron} of layer 1: its 784 weights").wait_for(timeout=30_000)
    opened = page.get_by_text(f"Neuron {neuron} of layer 1: its inputs added").inner_text()
    assert f"so z = {float(found.group(3)):.2f}" in re.sub(r"(\d\.\d\d)\d", r"\1", opened)  # the hover's z, rounded
    screenshot(page, "home-diagram-clicked")


def test_a_drawing_lights_the_diagram_and_its_answer_opens_on_an_output(page):
    go(page, "Draw & predict")
    draw(page, [[(140, 40), (140, 240)]])
    page.wait_for_timeout(500)
    settle(page)
    assert prediction(page) == "1"
    chart = page.locator(f"{MAIN} .st-key-draw_diagram .js-plotly-plot")
    chart.locator(".scatterlayer text").first.wait_for(timeout=30_000)
    labels = chart.locator(".scatterlayer .textpoint text").all_text_contents()
    assert [label.split(" · ")[0] for label in labels] == [str(k) for k in range(10)], labels
    page.get_by_text("Output 1: its inputs added").wait_for(timeout=30_000)
    assert hover(page, chart, 1 + 16 + 16 + 1).startswith("output 1: p = softmax(z) = ")  # after the ring
    screenshot(page, "draw-diagram")
