"""Figures of the lab's "Compare runs": several models' recorded training curves overlaid, one colour per model.
Arrays in, Plotly figures out; no st.* calls."""
import plotly.graph_objects as go
from plotly.colors import qualitative

from ui.charts import LEGEND_ABOVE, LOG_TICKS, layout

PALETTE = qualitative.Plotly  # ten distinct colours: a model keeps its colour in both charts
MEASURES = {  # chart -> (training field, validation field, y axis) of core.training.HISTORY
    "loss": ("train_loss", "val_loss", dict(title="loss (log scale)", type="log", tickvals=LOG_TICKS, tickformat="~g")),
    "accuracy": ("train_accuracy", "val_accuracy", dict(title="accuracy", tickformat=".1%")),
}


def overlaid_curves(curves: dict, measure: str, height: int = 340) -> go.Figure:
    """{label: recorded history (core.compare.recorded_curve)} -> one figure: each model's training curve solid,
    its validation curve dotted, in one colour, both under one legend entry (its label); x in epochs."""
    train_field, val_field, yaxis = MEASURES[measure]
    traces = []
    for i, (label, history) in enumerate(curves.items()):
        color = PALETTE[i % len(PALETTE)]
        for field, dash, shown in ((train_field, "solid", True), (val_field, "dot", False)):
            traces.append(go.Scatter(x=history["epoch"], y=history[field], name=label, legendgroup=label,
                                     showlegend=shown, mode="lines+markers", line=dict(color=color, dash=dash),
                                     hovertemplate=f"{label}<br>{field.replace('_', ' ')}, epoch %{{x}}: %{{y:.4g}}"
                                                   "<extra></extra>"))
    return go.Figure(traces, layout(height, xaxis=dict(title="epoch", rangemode="tozero"), yaxis=yaxis,
                                    legend=LEGEND_ABOVE))
