"""The Neuron lab's figure: arrays in, a Plotly figure out (no st.* here)."""
import numpy as np
import plotly.graph_objects as go

from ui.charts import layout

BEFORE, AFTER = "#9aa5b1", "#d62728"


def per_class_before_after(before, after, classes, title: str, height: int = 300) -> go.Figure:
    """Each class's accuracy before and after the edits, side by side (two bars per class)."""
    names = [str(c) for c in classes]
    traces = [go.Bar(x=names, y=np.asarray(values, dtype=float), name=name, marker_color=color,
                     hovertemplate=f"{name}: " + "%{x}: %{y:.2%}<extra></extra>")
              for values, name, color in ((before, "before", BEFORE), (after, "after", AFTER))]
    low = max(0.0, min(np.min(before), np.min(after)) - 0.05)   # start near the lowest bar: small changes stay visible
    return go.Figure(traces, layout(height, title, barmode="group",
                                    yaxis=dict(range=[low, 1.0], tickformat=".0%"), xaxis=dict(type="category")))
