"""Figures of the plane's toy data sets: points over what a neuron or a tiny network says, the loss, the gradients.

Arrays in, Plotly figures out, no st.* calls (as ui.charts).
"""
import numpy as np
import plotly.graph_objects as go

from ui.charts import DIVERGING, LOG_TICKS, SENT, layout
from ui.numbers import readable

CLASS_COLORS = ("#1f77b4", "#ff7f0e")  # class 0 blue, class 1 orange, as their halves of the background
BACKGROUND = [[0, "#9ecae1"], [0.5, "#ffffff"], [1, "#fdae6b"]]  # low values bluish, the middle white, high orange
LEGEND_BELOW = dict(orientation="h", yanchor="top", y=-0.2)  # a legend above would run into the chart's title


def points(X, y) -> list:
    """The data set: one scatter of each class."""
    return [go.Scatter(x=X[y == k, 0], y=X[y == k, 1], mode="markers", name=f"class {k}",
                       marker=dict(color=CLASS_COLORS[k], size=7, line=dict(color="white", width=1)),
                       hovertemplate=f"class {k}: " + "(%{x:.2f}, %{y:.2f})<extra></extra>") for k in (0, 1)]


def plane(axis, values, X, y, title: str, middle: float, value_name: str, height: int = 480) -> go.Figure:
    """Points (N, 2) of classes y (N,) over a shaded background: `values` (R * R,) at the grid points of `axis`
    (R,), row by row, white at `middle` (where the two classes part), orange above it and blue below."""
    limit = float(np.abs(axis).max())
    shade = go.Heatmap(x=axis, y=axis, z=np.reshape(values, (len(axis), len(axis))).astype(SENT),
                       colorscale=BACKGROUND, zmid=middle, colorbar=dict(title=dict(text=value_name), thickness=12),
                       hovertemplate="(%{x:.2f}, %{y:.2f}): " + value_name + " = %{z:.3f}<extra></extra>")
    square = dict(range=[-limit, limit], constrain="domain")
    return go.Figure([shade, *points(X, y)], layout(
        height, title, xaxis=dict(title="x1", **square), yaxis=dict(title="x2", scaleanchor="x", **square),
        legend=LEGEND_BELOW))


def neuron_plane(axis, a, X, y, ends, middle: float, title: str) -> go.Figure:
    """One neuron's output a = f(z) over the plane and its line z = 0 from `ends` ((x1, x2), (x1, x2)), if any."""
    fig = plane(axis, a, X, y, title, middle, "a")
    if ends is not None:
        (x0, y0), (x1, y1) = ends
        fig.add_scatter(x=[x0, x1], y=[y0, y1], mode="lines", name="w1 x1 + w2 x2 + b = 0",
                        line=dict(color="black", width=3), hoverinfo="skip")
    return fig


def network_plane(axis, p1, X, y, title: str) -> go.Figure:
    """A network's probability of class 1 over the plane, and its decision boundary, where it is 1/2."""
    fig = plane(axis, p1, X, y, title, 0.5, "P(class 1)")
    fig.add_contour(x=axis, y=axis, z=np.reshape(p1, (len(axis), len(axis))).astype(SENT), showscale=False,
                    contours=dict(start=0.5, end=0.5, size=1, coloring="lines"), line=dict(color="black", width=3),
                    name="boundary: P = 1/2", showlegend=True, hoverinfo="skip")
    return fig


def loss_history(losses, step: int, height: int = 400) -> go.Figure:
    """The loss before every step (and after the last), the chosen moment marked."""
    steps = np.arange(len(losses))
    fig = go.Figure(go.Scatter(x=steps, y=np.asarray(losses, SENT), mode="lines", name="loss",
                               line=dict(color=CLASS_COLORS[0]), hovertemplate="after %{x} steps: %{y:.4f}<extra></extra>"))
    fig.add_scatter(x=[step], y=[losses[step]], mode="markers", name=f"after {step} steps",
                    marker=dict(color="#d62728", size=11), hovertemplate="%{y:.4f}<extra></extra>")
    return fig.update_layout(layout(height, "Loss (cross-entropy) of all the points", legend=LEGEND_BELOW,
                                    xaxis=dict(title="step", rangemode="tozero"),
                                    yaxis=dict(title="loss (log scale)", type="log", tickvals=LOG_TICKS,
                                               tickformat="~g")))


GRADIENT_COLUMNS = ["x1 → neuron", "x2 → neuron", "bias of neuron", "neuron → class 0", "neuron → class 1"]


def gradient_rows(grads: dict) -> tuple:
    """A 2 -> h -> 2 network's gradients, a row per hidden neuron j: dW1[0, j], dW1[1, j], db1[j], dW2[j, 0],
    dW2[j, 1]; a last row with db2 under the class columns. Returns the values (h + 1, 5) and their names."""
    W1, b1, W2, b2 = grads["W1"], grads["b1"], grads["W2"], grads["b2"]
    h = len(b1)
    values = np.full((h + 1, 5), np.nan)
    values[:h] = np.column_stack([W1.T, b1, W2])                      # (h, 2 + 1 + 2)
    values[h, 3:] = b2
    names = np.array([[f"∂L/∂W1[{i}, {j}]" for i in (0, 1)] + [f"∂L/∂b1[{j}]"] + [f"∂L/∂W2[{j}, {k}]" for k in (0, 1)]
                      for j in range(h)] + [["", "", ""] + [f"∂L/∂b2[{k}]" for k in (0, 1)]])
    return values, names


def gradient_table(grads: dict, height_per_row: int = 34) -> go.Figure:
    """Each weight's gradient as a coloured cell with its number: blue negative (the weight will grow), red positive."""
    values, names = gradient_rows(grads)
    limit = float(np.nanmax(np.abs(values))) or 1.0
    text = [[readable(v, 2) if np.isfinite(v) else "" for v in row] for row in values]
    rows = [f"neuron {j}" for j in range(len(values) - 1)] + ["output biases"]
    trace = go.Heatmap(z=values, x=GRADIENT_COLUMNS, y=rows, text=text, texttemplate="%{text}", customdata=names,
                       colorscale=DIVERGING, zmin=-limit, zmax=limit, showscale=False, xgap=2, ygap=2,
                       hovertemplate="%{customdata} = %{z:.4g}<extra></extra>")
    return go.Figure(trace, layout(height_per_row * len(rows) + 60, None,
                                   xaxis=dict(side="top", type="category", showgrid=False),
                                   yaxis=dict(autorange="reversed", type="category", showgrid=False)))
