"""The app's frame: its pages in teaching order, the guided previous/next links, presenter mode.

Also makes sure a page runs inside app.py's navigation, even when Streamlit first tried the legacy
`pages/` mode: Streamlit decides per new session, before app.py runs, whether a `pages/` folder means
the old automatic multipage mode. If the first visitor after a server start opens a page's URL
directly, the page script would run alone (no sidebar, no model picker). st.navigation clears that
flag, but only once app.py runs; a page that finds it still set clears it and reruns through app.py.
"""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui import charts, state

PAGES = [  # (script, title, icon), in the order a learner should meet them
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/explore.py", "Dataset explorer", ":material/grid_view:"),
    ("pages/one_neuron.py", "One neuron first", ":material/scatter_plot:"),
    ("pages/train.py", "Train", ":material/model_training:"),
    ("pages/weights.py", "Weights", ":material/blur_on:"),
    ("pages/draw.py", "Draw & predict", ":material/draw:"),
    ("pages/how_it_works.py", "How it works", ":material/function:"),
    ("pages/evaluate.py", "Evaluate", ":material/fact_check:"),
    ("pages/lab.py", "The lab", ":material/science:"),
    ("pages/tutorials.py", "Tutorials, reproduced", ":material/school:"),
]
PRESENTER_SCALE = 1.25  # text and charts on a projector, against a laptop screen
# Streamlit sizes its text, widgets and spacing in rem: a root font larger than its 16 px enlarges the page and
# the sidebar alike, and Plotly still measures its boxes right (CSS zoom did not let it: charts were cut off).
PRESENTER_CSS = f"""<style>
:root {{ font-size: {16 * PRESENTER_SCALE:g}px; }}
[data-testid=stMain] .block-container {{ max-width: 100%; }}
</style>"""


def require_app_shell():
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def navigation():
    return st.navigation([st.Page(script, title=title, icon=icon, default=i == 0)
                          for i, (script, title, icon) in enumerate(PAGES)])


def guided_footer(current_title: str):
    """Previous / next links at the bottom of every page, in teaching order."""
    titles = [title for _, title, _ in PAGES]
    if current_title not in titles:
        return
    i = titles.index(current_title)
    st.divider()
    back, _, forward = st.columns([2, 1, 2])
    if i > 0:
        script, title, icon = PAGES[i - 1]
        back.page_link(script, label=f"Previous: {title}", icon=":material/arrow_back:")
    if i + 1 < len(PAGES):
        script, title, icon = PAGES[i + 1]
        forward.page_link(script, label=f"Next: {title}", icon=":material/arrow_forward:")


def side_by_side(spec, **options) -> list:
    """st.columns(spec), except in presenter mode: there the parts stack, full width, so an equation, a chart
    title or a row of buttons never has to fit a third of a projector's enlarged page."""
    if state.presenting():
        return [st.container() for _ in range(spec if isinstance(spec, int) else len(spec))]
    return st.columns(spec, **options)


def show_chart(fig, key: str, where=None, **options):
    """Every Plotly chart goes on the page through here (`where`: a column, else the page): in presenter
    mode its figure is enlarged first."""
    if state.presenting():
        charts.enlarge(fig, PRESENTER_SCALE)
    return (where or st).plotly_chart(fig, key=key, **options)


def presenter_toggle():
    """A projector-friendly mode: bigger everything, and the controls a class should not touch hidden."""
    st.toggle("Presenter mode", key=state.kept(state.PRESENTING, False),
              help="For a projector: enlarges the page and hides uploads and advanced training settings.")
    if state.presenting():
        st.html(PRESENTER_CSS)
