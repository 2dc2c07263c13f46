"""The prediction API's own page in headless Chromium: draw on its canvas and read the network's answer."""
import pytest

from support.api_server import running_api
from tests.e2e.conftest import SHOTS, recording_console


@pytest.fixture(scope="module")
def api():
    with running_api("api-e2e.log") as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def tab(browser, api):
    context = browser.new_context(viewport={"width": 900, "height": 800})
    made = recording_console(context.new_page())
    made.goto(api)
    made.wait_for_selector("#model:has-text('Model fast')")
    yield made
    context.close()


def stroke(tab, points):
    """Draw one stroke through `points` (canvas pixels), as a mouse would."""
    box = tab.locator("#pad").bounding_box()
    tab.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    tab.mouse.down()
    for x, y in points[1:]:
        tab.mouse.move(box["x"] + x, box["y"] + y, steps=12)
    tab.mouse.up()


def test_a_seven_drawn_on_the_canvas_is_read_as_a_seven(tab):
    stroke(tab, [(70, 60), (210, 60), (120, 240)])
    tab.wait_for_selector("#answer:not(:empty)")
    assert tab.locator("#answer").inner_text() == "7"
    assert "% sure, says fast" in tab.locator("#sure").inner_text()
    assert tab.locator("#bars .bar").count() == 10 and tab.locator("#bars .bar.top").inner_text().startswith("7")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SHOTS / "api-page-seven.png")
    tab.click("#clear")
    assert tab.locator("#answer").inner_text() == "" and tab.locator("#bars .bar").count() == 0
    assert tab.console_errors == []


def test_a_dot_gets_the_servers_message_instead_of_an_answer(tab):
    stroke(tab, [(140, 140), (141, 141)])
    tab.wait_for_selector("#error:not(:empty)")
    assert "only a dot" in tab.locator("#error").inner_text()
    assert tab.locator("#answer").inner_text() == ""
    tab.screenshot(path=SHOTS / "api-page-dot.png")
    # the browser notes the refusal itself; the page logs nothing else
    assert tab.console_errors == ["Failed to load resource: the server responded with a status of 422 "
                                  "(Unprocessable Entity)"]
