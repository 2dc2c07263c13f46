"""Neural network from scratch: how a network written in pure NumPy learns to read handwritten digits.

Run with: streamlit run app.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads: many sessions share 2 cores

import streamlit as st  # noqa: E402

from ui.resources import favicon  # noqa: E402
from ui.sidebar import sidebar  # noqa: E402

st.set_page_config(page_title="Neural network from scratch", page_icon=favicon(), layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/explore.py", title="Dataset explorer", icon=":material/grid_view:"),
    st.Page("pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("pages/weights.py", title="Weights", icon=":material/blur_on:"),
    st.Page("pages/draw.py", title="Draw & predict", icon=":material/draw:"),
    st.Page("pages/evaluate.py", title="Evaluate", icon=":material/fact_check:"),
]

page = st.navigation(PAGES)
sidebar()
page.run()
