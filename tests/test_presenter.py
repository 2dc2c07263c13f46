"""Presenter mode enlarges charts through their own layout, and text through CSS font sizes, never CSS zoom."""
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from core.nn.explain import contributions
from core.nn.network import Network
from tests.test_pages import figure
from ui import charts
from ui.diagram import living_diagram
from ui.shell import PRESENTER_CSS

ROOT = Path(__file__).resolve().parent.parent


def test_enlarge_scales_a_figures_text_height_margins_and_markers():
    fig = charts.probabilities([0.1] * 10, 3, height=280)              # a title: top margin 40, the others 10
    charts.enlarge(fig, 1.5)
    layout = fig.layout
    assert layout.height == 420                                        # 280 × 1.5
    assert (layout.margin.l, layout.margin.r, layout.margin.t, layout.margin.b) == (15, 15, 60, 15)
    assert layout.font.size == 18 and layout.title.font.size == 24     # Streamlit's 12 and 16, × 1.5
    assert layout.xaxis.tickfont.size == 18 and layout.yaxis.title.font.size == 21  # 12 and 14 × 1.5
    assert layout.legend.font.size == 18 and layout.hoverlabel.font.size == 18
    network = Network.create((30,))
    diagram = charts.enlarge(living_diagram(contributions(network, np.ones(784)), "relu", "softmax", range(10)), 1.5)
    assert {trace.marker.size for trace in diagram.data if "markers" in trace.mode} == {24}  # neurons: 16 × 1.5


def test_a_two_line_title_gets_room_for_both_lines():
    assert charts.digit([[0, 1]], "one line").layout.margin.t == 40
    assert charts.digit([[0, 1]], "one line<br>and another").layout.margin.t == 60


def test_presenter_mode_enlarges_the_charts_and_the_root_font_without_zoom():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    normal = figure(at, "home_diagram")["layout"]
    assert normal["height"] == 440 and "size" not in normal.get("font", {})  # Streamlit's theme sizes apply
    at.sidebar.toggle(key="presenter_mode").set_value(True).run()
    big = figure(at, "home_diagram")["layout"]
    assert big["height"] == 550 and big["font"]["size"] == 15              # 440 and 12, × 1.25
    styles = [h.proto.body for h in at.get("html")]
    assert PRESENTER_CSS in styles and ":root { font-size: 20px; }" in PRESENTER_CSS  # 16 px × 1.25
    assert "zoom" not in PRESENTER_CSS and "transform" not in PRESENTER_CSS  # Plotly cannot measure those


def test_every_chart_is_shown_through_show_chart():
    """The one place that enlarges figures for a projector: no page or ui module calls plotly_chart itself."""
    modules = [path for folder in ("pages", "pages/sections", "ui") for path in sorted((ROOT / folder).glob("*.py"))]
    direct = [f"{path.relative_to(ROOT)}:{n}" for path in modules if path.name != "shell.py"
              for n, line in enumerate(path.read_text().splitlines(), 1) if ".plotly_chart(" in line]
    assert direct == []


def test_a_laptop_run_opens_a_browser_and_every_server_the_tests_start_is_headless():
    """config.toml leaves server.headless alone (`streamlit run app.py` opens the app, as the README says), so
    every place that starts a server passes --server.headless true itself."""
    config = (ROOT / ".streamlit" / "config.toml").read_text()
    assert not re.search(r"^\s*headless\s*=", config, re.MULTILINE)
    starters = [path for path in [ROOT / "tests" / "e2e" / "conftest.py", *sorted((ROOT / "benchmarks").glob("*.py"))]
                if '"streamlit", "run"' in path.read_text()]
    assert starters, "no file starts `streamlit run`?"
    for path in starters:
        for call in re.findall(r'"streamlit", "run".*?\]', path.read_text(), re.DOTALL):
            assert '"--server.headless", "true"' in call, f"{path.name} starts a server without --server.headless true"
