"""Make sure a page runs inside app.py's navigation, even when Streamlit first tried the legacy `pages/` mode.

Streamlit decides per new session, before app.py runs, whether a `pages/` folder means the old
automatic multipage mode. If the first visitor after a server start opens a page's URL directly,
the page script runs alone: no sidebar, no model picker. st.navigation clears that flag, but only
once app.py runs. A page that finds the flag still set clears it and reruns, this time through app.py.
"""
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def require_app_shell():
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
