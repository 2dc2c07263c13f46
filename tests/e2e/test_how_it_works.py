"""How it works on a projector: every step fits about one screen and no code or formula runs off the edge."""
import pytest

from tests.e2e.conftest import SHOTS, go, settle

STEPS = ["The digit", "Forward", "Softmax and loss", "Backward: equations", "Backward: numbers", "Check a gradient",
         "One step", "Convolution", "Pooling", "Kernel gradient"]
# wider than its box (cut, or scrolled sideways); KaTeX's subscripts overhang their box by 2 px, which cuts nothing
OVERFLOW = """els => els.filter(e => e.scrollWidth > e.clientWidth + 4).map(e => e.innerText.slice(0, 80))"""
# from the top of the step pills to the page's footer (the divider above Previous / Next page)
STEP_HEIGHT = """() => {
    const main = document.querySelector('[data-testid=stMain]');
    const pills = main.querySelector('[data-testid=stButtonGroup]').getBoundingClientRect();
    const footer = [...main.querySelectorAll('hr')].pop().getBoundingClientRect();
    return footer.top - pills.top;
}"""


def selected(tab, step: str):
    """The stepper's pill for this step, once it is the selected one."""
    return tab.locator("[data-testid=stMain] [data-testid=stButtonGroup] button[aria-checked=true]", has_text=step)


@pytest.mark.parametrize("width, height, presenting", [(1280, 720, False), (1920, 1080, False), (1280, 720, True)])
def test_each_step_fits_two_projector_screens_and_nothing_runs_off_the_edge(page, width, height, presenting):
    page.set_viewport_size({"width": width, "height": height})
    if presenting:  # enlarged text: side-by-side parts stack, so nothing has to fit a third of the page
        page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
        settle(page)
    go(page, "How it works")
    SHOTS.mkdir(parents=True, exist_ok=True)
    heights, overflows = {}, {}
    for number, name in enumerate(STEPS, start=1):
        selected(page, f"{number}. {name}").wait_for(timeout=30_000)   # Next moved one step on
        settle(page)
        page.wait_for_timeout(1500)                          # the step's Plotly charts draw after the script ends
        heights[name] = round(page.evaluate(STEP_HEIGHT))
        overflows[name] = page.locator("[data-testid=stMain] [data-testid=stCode] pre, "
                                       "[data-testid=stMain] .katex-display, "
                                       "[data-testid=stMain] button p").evaluate_all(OVERFLOW)  # and cut button labels
        page.screenshot(path=SHOTS / f"how-it-works-{width}{'-presenter' if presenting else ''}-{number:02d}.png")
        if number < len(STEPS):
            page.locator("[data-testid=stMain] button", has_text="Next").first.click()
    print(f"{width}×{height}: step heights {heights}")
    too_tall = {name: h for name, h in heights.items() if h > 2 * height and not presenting}  # stacked: taller
    assert (too_tall, {name: texts for name, texts in overflows.items() if texts}) == ({}, {})
