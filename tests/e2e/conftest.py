"""Fixtures for browser tests: a real `streamlit run` on 127.0.0.1 and Debian's headless Chromium.

A missing Chromium fails these tests loudly; they are never skipped.
"""
import shutil

import pytest

from support.browser import CHROMIUM_FLAGS, IDLE, ROOT, free_port, start_server, stop_server

SHOTS = ROOT / "test-output" / "screenshots"


class ServerURL(str):
    """The server's address, which also knows the server's process id."""
    def __new__(cls, url: str, pid: int):
        made = super().__new__(cls, url)
        made.pid = pid
        return made


@pytest.fixture(scope="session")
def server():
    """`streamlit run app.py` on a free port of 127.0.0.1, stopped after the tests."""
    (ROOT / "test-output").mkdir(exist_ok=True)
    port = free_port()
    with open(ROOT / "test-output" / "streamlit.log", "w") as log:
        process = start_server(port, log)
        try:
            yield ServerURL(f"http://127.0.0.1:{port}", process.pid)
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed, so the browser tests cannot run. Install it with "
                    "`apt-get update && apt-get install -y chromium` (as .ci/run does).", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser tab (a new Streamlit session) that records console errors; the test fails on any."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = recording_console(context.new_page())
    tab.goto(server)
    settle(tab)
    yield tab
    context.close()
    assert tab.console_errors == [], tab.console_errors


def recording_console(tab):
    """The tab, keeping in tab.console_errors every error its console and scripts report."""
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda err: tab.console_errors.append(str(err)))
    return tab


def click_point(tab, chart, i: int):
    """Click the centre of the i-th clickable marker of a chart, with the mouse (Plotly hit-tests its own layer)."""
    box = chart.locator(".scatterlayer path.point").nth(i).bounding_box()
    tab.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tab.wait_for_timeout(300)
    settle(tab)


def settle(tab, timeout: float = 60_000):
    """Wait until the script run is over and nothing shows an exception."""
    tab.wait_for_selector(IDLE, timeout=timeout)
    assert tab.locator("[data-testid=stException]").count() == 0, tab.locator("[data-testid=stException]").all_inner_texts()


def go(tab, label: str):
    """Open a page through the sidebar navigation, as a user would."""
    tab.locator("[data-testid=stSidebarNav] a", has_text=label).first.click()
    tab.wait_for_timeout(300)
    settle(tab)


def screenshot(tab, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1400, "height": 2400})  # Streamlit scrolls inside its own container
    tab.wait_for_timeout(500)
    tab.screenshot(path=SHOTS / f"{name}.png")
    tab.set_viewport_size({"width": 1400, "height": 1100})
