"""The lab's layer maps as Plotly figures: arrays in, figures out, no st.* calls."""
import numpy as np
import plotly.graph_objects as go

from ui.charts import SENT, layout

# One colour per class (Plotly's T10 palette: ten hues told apart at a glance, also by most colour-blind eyes)
CLASS_COLOURS = ("#4C78A8", "#F58518", "#E45756", "#72B7B2", "#54A24B",
                 "#EECA3B", "#B279A2", "#FF9DA6", "#9D755D", "#BAB0AC")
STAR = "#000000"


def layer_map(coords, labels, predicted, numbers, classes, title: str, star=None, chosen: int | None = None,
              height: int = 560) -> go.Figure:
    """Digits as points at `coords` (N, 2), one trace (and legend entry) per class, coloured by their `labels` (N,);
    hover: the test digit's number (`numbers` (N,), also each point's customdata for a click), label and the model's
    `predicted` (N,) class. `star` (2,): the learner's drawing as a big black star. `chosen`: a test digit's number
    to ring."""
    coords, labels, predicted, numbers = map(np.asarray, (coords, labels, predicted, numbers))
    traces = []
    for k, name in enumerate(classes):
        mine = labels == k
        guesses = [f"{classes[p]}" + ("" if p == k else " (wrong)") for p in predicted[mine]]
        traces.append(go.Scatter(
            x=coords[mine, 0].astype(SENT), y=coords[mine, 1].astype(SENT), mode="markers", name=name,
            marker=dict(size=5, color=CLASS_COLOURS[k], opacity=0.75), customdata=numbers[mine], text=guesses,
            hovertemplate=f"test digit #%{{customdata}}<br>label: {name}<br>predicted: %{{text}}<extra></extra>"))
    if chosen is not None and np.any(numbers == chosen):
        x, y = coords[numbers == chosen][0]
        traces.append(go.Scatter(x=[x], y=[y], mode="markers", name=f"test digit #{chosen}", hoverinfo="skip",
                                 marker=dict(size=16, color="rgba(0,0,0,0)", line=dict(width=2.5, color=STAR))))
    if star is not None:
        traces.append(go.Scatter(x=[star[0]], y=[star[1]], mode="markers", name="your drawing",
                                 marker=dict(symbol="star", size=22, color=STAR, line=dict(width=1.5, color="white")),
                                 hovertemplate="your drawing<extra></extra>"))
    axis = dict(showticklabels=False, zeroline=False)
    return go.Figure(traces, layout(height, title, xaxis=axis, yaxis=axis))   # the legend down the right: 12 entries
