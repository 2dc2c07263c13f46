"""Presenter mode on a projector, in headless Chromium: every chart whole, the sidebar larger, no control covered."""
from pathlib import Path

import pytest

from tests.e2e.conftest import SHOTS, go, settle
from support.browser import CANVAS
from tests.e2e.test_browser import draw
from ui.shell import PAGES

VIEWPORTS = [(1920, 1080), (1280, 720)]
TINY_TRAINING = "/train?hidden=32&epochs=2&images=1000&batch=32"  # done in a second: the Train page's charts
TOOLBAR = "[data-testid=stBidiComponentIsolated] .dc-toolbar"
TOLERANCE = 2  # pixels

# Every Plotly chart of the main area: the rectangles of its svg layers and of its texts (ticks, axis titles,
# titles, legends, annotations, cell and bar labels) that leave the box Streamlit gave the chart.
OUTSIDE = """tolerance => {
    const outside = [];
    for (const plot of document.querySelectorAll('[data-testid=stMain] .js-plotly-plot')) {
        const box = plot.closest('[data-testid=stPlotlyChart]').getBoundingClientRect();
        const name = plot.closest('[class*="st-key-"]')?.className.match(/st-key-(\\S+)/)?.[1] ?? 'a chart';
        for (const part of plot.querySelectorAll('svg.main-svg, svg text')) {
            const r = part.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || part.closest('.hoverlayer')) continue;
            if (r.left < box.left - tolerance || r.top < box.top - tolerance || r.right > box.right + tolerance
                || r.bottom > box.bottom + tolerance)
                outside.push(`${name}: ${part.tagName} "${part.textContent.slice(0, 40)}" at ` +
                             `[${[r.left, r.top, r.right, r.bottom].map(Math.round)}] outside ` +
                             `[${[box.left, box.top, box.right, box.bottom].map(Math.round)}]`);
        }
    }
    return outside;
}"""
DRAWN = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stPlotlyChart]')]
    .every(chart => chart.querySelector('.js-plotly-plot')?._fullLayout && chart.querySelector('svg.main-svg'))"""
CONTROLS = """() => [...document.querySelectorAll('[data-testid=stMain] :is(button, a, input, [role=slider])')]
    .map(el => [el.innerText || el.getAttribute('aria-label') || el.tagName, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0).map(([name, r]) => [name, {x: r.x, y: r.y, width: r.width,
                                                                               height: r.height}])"""
SIDEBAR_FONT = """() => parseFloat(getComputedStyle(document.querySelector(
    '[data-testid=stSidebar] [data-testid=stSidebarNav] a span')).fontSize)"""


def shot(tab, name: str, width: int):
    """The whole page at this width (Streamlit scrolls inside its own container, so a tall window shows it all)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = tab.viewport_size["height"]
    tab.set_viewport_size({"width": width, "height": 3000})
    tab.wait_for_timeout(700)
    tab.screenshot(path=SHOTS / f"projector-{width}-{name}.png")
    tab.set_viewport_size({"width": width, "height": height})


def show_charts(tab, title: str):
    """Whatever a page needs before it shows its charts: a test image on Draw, a trained tiny network on One
    neuron first."""
    if title == "One neuron first" and not tab.locator(".st-key-toy_loss").count():
        tab.locator("[data-testid=stMain]").get_by_role("button", name="Train").click()
        tab.locator(".st-key-toy_loss").wait_for(timeout=30_000)
        settle(tab)
    if title == "Draw & predict":
        source = tab.locator("[data-testid=stMain]").get_by_role("radio", name="A random test image")
        if source.get_attribute("aria-checked") != "true":  # a second click would deselect it
            source.click()
        tab.get_by_text("Test image #").first.wait_for(timeout=30_000)
        settle(tab)


@pytest.fixture
def presenting(browser, server):
    """A tab that ran a tiny training (so Train has its charts), then turned presenter mode on."""
    context = browser.new_context(viewport={"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]})
    tab = context.new_page()
    tab.goto(server + TINY_TRAINING)
    settle(tab)
    tab.locator("[data-testid=stMain]").get_by_role("button", name="Start").click()
    tab.get_by_text("Finished:").wait_for(timeout=60_000)
    settle(tab)
    tab.normal_sidebar_font = tab.evaluate(SIDEBAR_FONT)
    tab.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
    settle(tab)
    yield tab
    context.close()


def test_in_presenter_mode_every_chart_is_whole_at_projector_sizes(presenting):
    tab = presenting
    outside, charts = [], {}
    for width, height in VIEWPORTS:
        tab.set_viewport_size({"width": width, "height": height})
        for script, title, _ in PAGES:
            go(tab, title)
            show_charts(tab, title)
            tab.wait_for_function(DRAWN, timeout=30_000)  # Plotly draws after the script run is over
            tab.wait_for_timeout(300)
            charts[width, title] = tab.locator("[data-testid=stMain] .js-plotly-plot").count()
            outside += [f"{width}×{height} {title}: {where}" for where in tab.evaluate(OUTSIDE, TOLERANCE)]
            shot(tab, Path(script).stem, width)
    assert outside == [], "\n".join(outside[:40]) + f"\n({len(outside)} in all)"
    assert tab.evaluate(SIDEBAR_FONT) > tab.normal_sidebar_font  # the sidebar's text enlarges too
    assert [title for (_, title), count in charts.items() if count == 0] == []  # every page had charts to check


def boxes_meet(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


def test_the_canvas_toolbar_covers_no_button_and_a_click_on_a_random_test_image_shows_one(page):
    """The toolbar shows on hover above the canvas; a click meant for "A random test image" once hit its Undo."""
    main = page.locator("[data-testid=stMain]")
    go(page, "Draw & predict")
    for mode in ("normal", "presenter"):
        if mode == "presenter":
            page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
            settle(page)
            main.get_by_role("radio", name="Draw").click()
            settle(page)
        draw(page, [[(140, 40), (140, 240)]])
        page.wait_for_timeout(500)
        settle(page)
        canvas = page.locator(CANVAS).bounding_box()
        page.mouse.move(canvas["x"] + 140, canvas["y"] + 140)  # the toolbar shows while the mouse is over the canvas
        page.wait_for_timeout(600)
        toolbar = page.locator(TOOLBAR).bounding_box()
        covered = [name for name, box in page.evaluate(CONTROLS) if boxes_meet(toolbar, box)]
        assert covered == [], f"{mode}: the canvas toolbar {toolbar} covers {covered}"
        target = main.get_by_role("radio", name="A random test image").bounding_box()
        page.mouse.click(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2)  # no waiting for
        page.get_by_text("Test image #").first.wait_for(timeout=30_000)                               # it to be free
        settle(page)
