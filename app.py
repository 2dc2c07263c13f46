"""Neural network from scratch: how a network written in pure NumPy learns to read handwritten digits.

Run with: streamlit run app.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: many sessions share 2 cores

import streamlit as st  # noqa: E402

# The large libraries the pages share, imported here, before any page: each session's run of this script holds no
# other import lock, so a second session waits for the first to finish importing them. Imported first from two
# pages at once, they broke once in a class of three: "partially initialized module 'pandas' has no attribute
# 'Series' (most likely due to a circular import)", Python's answer to two threads importing each other's modules.
import pandas  # noqa: E402,F401
import plotly.graph_objects  # noqa: E402,F401
import pyarrow  # noqa: E402,F401

from ui.resources import favicon, warm_up  # noqa: E402
from ui.shell import guided_footer, navigation  # noqa: E402
from ui.sidebar import sidebar  # noqa: E402

st.set_page_config(page_title="Neural network from scratch", page_icon=favicon(), layout="wide")
warm_up()  # once per server: shared data loads in the background, while this first page is drawn

page = navigation()
sidebar(page.url_path)
page.run()
guided_footer(page.title)
