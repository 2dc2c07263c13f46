"""Per-layer statistics while training (core.nn.layer_stats) as small line charts, one line per layer, x = epoch.
Arrays in, Plotly figures out, no st.* calls."""
import numpy as np
import plotly.graph_objects as go

from ui.charts import LEGEND_ABOVE, POWERS, SENT, layout, title_room

LEGEND_ROW = 24    # pixels between the title and the plot, for the legend of the layers
GUIDE_RATIO = 1e-3  # the usual rule of thumb for a healthy update/weight ratio
LAYER_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")
CHARTS = {  # statistic: (title, y-axis as Plotly wants it)
    "weight_rms": ("Weight size, RMS = ‖W‖/√size", dict(rangemode="tozero", **POWERS)),
    "grad_rms": ("Gradient size, RMS = ‖dW‖/√size (log scale)", dict(type="log", **POWERS)),
    "update_ratio": ("Update / weight, ‖ΔW‖/‖W‖ per step (log scale)", dict(type="log", **POWERS)),
    "dead_share": ("Dead ReLU units (none positive on the batch)", dict(range=[0, 1.02], tickformat=".0%")),
}


def layer_stat_chart(points: list, names: list, statistic: str, height: int = 260) -> go.Figure:
    """One statistic of every layer over the epochs: `points` LayerStats, `names` the layers' (W1, K1, ...)."""
    epochs = np.asarray([p.epoch for p in points], SENT)
    values = np.asarray([getattr(p, statistic) for p in points], SENT).reshape(len(points), -1)  # (points, layers)
    traces = [go.Scatter(x=epochs, y=values[:, l], mode="lines", name=names[l],
                         line=dict(color=LAYER_COLORS[l % len(LAYER_COLORS)]),
                         hovertemplate=names[l] + ", epoch %{x:.2f}: %{y:.3g}<extra></extra>")
              for l in range(values.shape[1])]
    if statistic == "update_ratio":
        traces.append(go.Scatter(x=epochs[[0, -1]], y=np.full(2, GUIDE_RATIO, SENT), mode="lines", name="10⁻³ guide",
                                 line=dict(color="gray", dash="dash"), hoverinfo="skip"))
    title, yaxis = CHARTS[statistic]
    return go.Figure(traces, layout(height, title, margin=dict(t=title_room(title) + LEGEND_ROW), yaxis=yaxis,
                                    xaxis=dict(title="epoch", rangemode="tozero"), legend=LEGEND_ABOVE,
                                    showlegend=True))
