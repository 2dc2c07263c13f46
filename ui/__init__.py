"""Streamlit and Plotly helpers shared by the pages: cached resources, session state, charts, training jobs."""
