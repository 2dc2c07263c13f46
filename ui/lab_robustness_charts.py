"""The robustness experiment's figure: arrays in, a Plotly figure out, no st.* calls."""
import plotly.graph_objects as go

from ui.charts import layout

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def robustness_curves(strengths, curves: dict, axis_title: str, height: int = 340) -> go.Figure:
    """Test accuracy against a perturbation's strength, one line per model: {model name: accuracies}."""
    traces = [go.Scatter(x=list(strengths), y=accuracies, name=name, mode="lines+markers", line=dict(color=color),
                         hovertemplate=name + "<br>%{x}: %{y:.2%}<extra></extra>")
              for (name, accuracies), color in zip(curves.items(), PALETTE)]
    return go.Figure(traces, layout(height, "Test accuracy as the digits get worse", legend=dict(orientation="h", y=-0.3),
                                    xaxis=dict(title=axis_title, tickvals=list(strengths)),
                                    yaxis=dict(title="accuracy", tickformat=".0%", range=[0, 1.02])))
