"""Functions that take arrays and return Plotly figures. No st.* calls here."""
import numpy as np
import plotly.graph_objects as go

from ui.numbers import percent

TICKS = 16  # at most this many labels along a bar chart's axis
DIVERGING = "RdBu_r"  # blue negative, white zero, red positive
INK = "gray"
COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "batch": "rgba(31,119,180,0.35)", "test": "#2ca02c"}
LOG_TICKS = [m * 10.0 ** e for e in range(-4, 2) for m in (1, 3)]  # 0.0001, 0.0003, 0.001, ..., 30
SMOOTH_POINTS = 500  # at most this many points of the smoothed loss are sent
SENT = np.float32  # arrays reach the browser as typed arrays: single precision halves them, and shows the same
TITLE_LINE = 20  # pixels of top margin per line of a chart title
LEGEND_ABOVE = dict(orientation="h", yanchor="bottom", y=1.02)  # grows upwards, into the margin, not over the curves
TEXT, AXIS_TITLE, TITLE = 12, 14, 16  # Streamlit's chart theme: ticks, legends and labels; axis titles; chart titles
POWERS = dict(exponentformat="power")  # ticks of tiny values read 4×10⁻⁷, not Plotly's default "400n" or "1µ"


def layout(height: int, title: str | None = None, square: bool = False, **extra) -> dict:
    """A figure's layout in one dict: passed to the constructor at once, it validates once (update_* calls
    validate the whole figure each time, which made a drawing's charts 5x slower)."""
    base = dict(height=height, margin=dict(l=10, r=10, t=title_room(title), b=10), title=title,
                modebar=dict(orientation="v"))  # down the right edge: across the top it covered titles and legends
    if square:
        base["xaxis"] = dict(visible=False, constrain="domain")
        base["yaxis"] = dict(visible=False, autorange="reversed", scaleanchor="x")
    for key, value in extra.items():
        base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    return base


def title_room(title: str | None) -> int:
    """Pixels of margin above the plot: a line for each line of the title ("<br>" breaks one for narrow columns)."""
    return 20 + TITLE_LINE * (title.count("<br>") + 1) if title else 10  # 20 px of air, then the lines


def enlarge(fig: go.Figure, scale: float) -> go.Figure:
    """The same figure (changed in place) with its text, height, margins and markers `scale` times larger.

    For a projector: through the figure's own layout, which Plotly measures (CSS zoom on the page cut charts
    off). Every text size is set, since Streamlit's chart template would otherwise keep its own small ones."""
    def big(size):
        return round(size * scale)
    axis = dict(tickfont=dict(size=big(TEXT)), title=dict(font=dict(size=big(AXIS_TITLE))))
    margin = fig.layout.margin
    fig.layout.update(height=big(fig.layout.height), margin={side: big(margin[side]) for side in "lrtb"},
                      font=dict(size=big(TEXT)), title=dict(font=dict(size=big(TITLE))), xaxis=axis, yaxis=axis,
                      legend=dict(font=dict(size=big(TEXT))), hoverlabel=dict(font=dict(size=big(TEXT))))
    for trace in fig.data:
        if trace.type == "scatter" and isinstance(trace.marker.size, (int, float)):
            trace.marker.size = big(trace.marker.size)
    return fig


def digit(image, title: str | None = None, height: int = 260, zmax=None, square: bool = True,
          hover: str = "row %{y}, column %{x}<br>value %{z:.3f}<extra></extra>") -> go.Figure:
    """One 2-D image as a grey heatmap with its values on hover (pixels stay crisp: no smoothing)."""
    image = np.asarray(image, dtype=float)
    trace = go.Heatmap(z=image, colorscale=INK, zmin=0, zmax=image.max() if zmax is None else zmax,
                       showscale=False, hovertemplate=hover)
    return go.Figure(trace, layout(height, title, square=True, **({} if square else {"yaxis": dict(scaleanchor=False)})))


def weight_image(weights, title: str | None = None, height: int = 300, name: str = "weight") -> go.Figure:
    """Signed values (a neuron's 784 weights as 28x28, a gradient map), blue negative, red positive, centred at 0."""
    limit = float(np.abs(weights).max()) or 1.0
    grid = weights if np.ndim(weights) == 2 else np.reshape(weights, (28, 28))
    trace = go.Heatmap(z=grid, colorscale=DIVERGING, zmin=-limit, zmax=limit, zmid=0, colorbar=POWERS,
                       hovertemplate="pixel (%{y}, %{x})<br>" + name + " %{z:.4f}<extra></extra>")
    return go.Figure(trace, layout(height, title, square=True))


def click_targets(x, y, size: float, ids, chosen: int | None, hover: str, text=None) -> go.Scatter:
    """Clear square markers over cells at (x, y), each reporting its id (customdata) when clicked: Plotly's heatmaps
    report no clicked cell to Streamlit, markers do. The marker at position `chosen` is outlined in red."""
    return go.Scatter(x=x, y=y, mode="markers", customdata=ids, hovertemplate=hover, text=text,
                      marker=dict(symbol="square-open", size=size, color="rgba(0,0,0,0)", line=dict(width=3)),
                      selectedpoints=None if chosen is None else [chosen], selected=dict(marker=dict(color="#d62728")))


def probabilities(p, highlight: int | None = None, title: str = "Probability of each digit",
                  height: int = 280) -> go.Figure:
    """Ten bars, the chosen digit highlighted."""
    p = np.asarray(p, dtype=float)
    colors = ["#d62728" if k == highlight else "#1f77b4" for k in range(len(p))]
    trace = go.Bar(x=[str(k) for k in range(len(p))], y=p, marker_color=colors,
                   text=[percent(v) if v >= 0.01 else "" for v in p], textposition="outside",
                   hovertemplate="digit %{x}: %{y:.4f}<extra></extra>")
    return go.Figure(trace, layout(height, title, yaxis=dict(range=[0, 1.15], tickformat=".0%"),
                                   xaxis=dict(type="category", title="digit")))


def before_after(p_before, p_after, height: int = 280) -> go.Figure:
    """The ten probabilities before and after a change, side by side."""
    digits = [str(k) for k in range(len(p_before))]
    traces = [go.Bar(x=digits, y=np.asarray(p, dtype=float), name=name, marker_color=color,
                     hovertemplate=f"{name}: " + "digit %{x}: %{y:.4f}<extra></extra>")
              for p, name, color in ((p_before, "before", "#9aa5b1"), (p_after, "after", "#d62728"))]
    return go.Figure(traces, layout(height, "Probability of each digit, before and after", barmode="group",
                                    yaxis=dict(range=[0, 1.05], tickformat=".0%"), xaxis=dict(type="category")))


def bars(values, labels, title: str, height: int = 260, color="#1f77b4", hover: str = "%{x}: %{y:.4f}",
         log_y: bool = False, categories: bool = True) -> go.Figure:
    """A bar chart; `color` may be one colour or one per bar."""
    labels = list(labels)
    trace = go.Bar(x=labels, y=np.asarray(values, dtype=float), marker_color=color,
                   hovertemplate=hover + "<extra></extra>")
    ticks = dict(nticks=TICKS) if len(labels) > TICKS else {}  # 256 neurons' numbers side by side overlap
    return go.Figure(trace, layout(height, title, xaxis=dict(type="category" if categories else "linear", **ticks),
                                   yaxis=dict(type="log" if log_y else "linear", **POWERS)))


def histogram(values, title: str, nbins: int = 50, height: int = 260) -> go.Figure:
    return go.Figure(go.Histogram(x=np.ravel(values), nbinsx=nbins, marker_color="#1f77b4"), layout(height, title))


def smoothed(values, weight: float = 0.95) -> np.ndarray:
    """Exponential moving average, debiased as TensorBoard does: s_t = w s_(t-1) + (1 - w) x_t, shown as
    s_t / (1 - w^t) so the first points are not pulled towards 0."""
    out, s = np.empty(len(values)), 0.0
    for t, x in enumerate(values, start=1):
        s = weight * s + (1 - weight) * x
        out[t - 1] = s / (1 - weight ** t)
    return out


def loss_curve(step_epochs, step_losses, epoch_events, log_scale: bool = True, height: int = 320) -> go.Figure:
    """Batch loss after every step (faint), its moving average, and mean train / validation loss after every epoch.

    On a linear axis the loss of the first steps (2.3 for ten guessed digits) would flatten the rest: the axis
    then ends a little above the smoothed loss after its first tenth and the epoch losses; a log axis shows
    every stage alike.
    """
    steps, losses = np.asarray(step_epochs, SENT), np.asarray(step_losses, SENT)
    trend = smoothed(losses).astype(SENT)
    every = -(-len(trend) // SMOOTH_POINTS) or 1  # a smooth line needs fewer points: a lighter live update
    fig = go.Figure()
    fig.add_scatter(x=steps, y=losses, mode="lines", name="batch loss", line=dict(color=COLORS["batch"]))
    fig.add_scatter(x=steps[::every], y=trend[::every], mode="lines", name="batch loss, smoothed",
                    line=dict(color=COLORS["train"]))
    epochs = [e.epoch for e in epoch_events]
    fig.add_scatter(x=epochs, y=[e.train_loss for e in epoch_events], mode="markers", name="train loss (epoch mean)",
                    marker=dict(color=COLORS["train"], size=8))
    fig.add_scatter(x=epochs, y=[e.val_loss for e in epoch_events], mode="lines+markers", name="validation loss",
                    line=dict(color=COLORS["val"]))
    if log_scale:
        yaxis = dict(title="loss (log scale)", type="log", tickvals=LOG_TICKS, tickformat="~g")
    else:
        shown = [*trend[len(trend) // 10:], *(e.val_loss for e in epoch_events), *(e.train_loss for e in epoch_events)]
        yaxis = dict(title="loss", range=[0, 1.2 * float(np.nanmax(shown))] if shown else None)
    fig.update_layout(layout(height, xaxis=dict(title="epoch", rangemode="tozero"), yaxis=yaxis,
                             legend=LEGEND_ABOVE))
    return fig


def accuracy_curve(epoch_events, height: int = 280) -> go.Figure:
    epochs = [e.epoch for e in epoch_events]
    fig = go.Figure()
    fig.add_scatter(x=epochs, y=[e.train_accuracy for e in epoch_events], mode="lines+markers", name="train",
                    line=dict(color=COLORS["train"]))
    fig.add_scatter(x=epochs, y=[e.val_accuracy for e in epoch_events], mode="lines+markers", name="validation",
                    line=dict(color=COLORS["val"]))
    fig.update_layout(layout(height, xaxis=dict(title="epoch", rangemode="tozero"),
                             yaxis=dict(title="accuracy", tickformat=".1%"), legend=LEGEND_ABOVE))
    return fig


def confusion(C, height: int = 480, chosen: tuple[int, int] | None = None, top: int | None = None) -> go.Figure:
    """The confusion matrix: rows are true digits, columns predicted; the count in every cell. `top`: the count
    the darkest blue stands for (default C's largest), so matrices shown side by side can share one scale.

    With `chosen` (true, predicted), a clear marker over every cell makes the cells clickable (Plotly's heatmaps
    report no clicked cell to Streamlit; markers do) and the chosen cell is outlined.
    """
    C = np.asarray(C)
    digits = [str(k) for k in range(10)]
    trace = go.Heatmap(z=np.log1p(C), text=C, texttemplate="%{text}", colorscale="Blues", showscale=False, zmin=0,
                       zmax=float(np.log1p(C.max() if top is None else top)),
                       x=digits, y=digits, hovertemplate="true %{y}, predicted %{x}: %{text} images<extra></extra>",
                       hoverinfo="skip" if chosen else None)               # the markers answer hovers and clicks
    fig = go.Figure(trace, layout(height, xaxis=dict(title="predicted", type="category", side="top", showgrid=False,
                                             constrain="domain"),
                                  yaxis=dict(title="true", type="category", autorange="reversed", scaleanchor="x",
                                             showgrid=False), hoverdistance=40))
    if chosen is not None:
        true, said = np.divmod(np.arange(100), 10)                      # point k is cell (k // 10, k % 10)
        fig.add_trace(click_targets(said.astype(str), true.astype(str), 34, C.reshape(-1), chosen[0] * 10 + chosen[1],
                                    "true %{y}, predicted %{x}: %{customdata} images<br>click to see them"
                                    "<extra></extra>"))
    return fig


def image_with_window(image, top: int, left: int, size: int, title: str, height: int = 300) -> go.Figure:
    """An image with a size×size square outlined at (top, left): where a kernel or a pooling window sits."""
    image = np.asarray(image, dtype=float)
    trace = go.Heatmap(z=image, colorscale=INK, zmin=0, zmax=image.max() or 1.0, showscale=False,
                       hovertemplate="row %{y}, column %{x}<br>value %{z:.3f}<extra></extra>")
    window = dict(type="rect", x0=left - 0.5, x1=left + size - 0.5, y0=top - 0.5, y1=top + size - 0.5,
                  line=dict(color="#d62728", width=3))
    return go.Figure(trace, layout(height, title, square=True, shapes=[window]))


def shift_curves(shifts, curves: dict, height: int = 340) -> go.Figure:
    """Accuracy against how far the digits moved, one line per model."""
    palette = ["#ff7f0e", "#2ca02c", "#1f77b4", "#d62728"]
    traces = [go.Scatter(x=list(shifts), y=accuracies, name=name, mode="lines+markers", line=dict(color=color),
                         hovertemplate=name + "<br>shift %{x} px: %{y:.2%}<extra></extra>")
              for (name, accuracies), color in zip(curves.items(), palette)]
    return go.Figure(traces, layout(height, "Test accuracy when every digit moves", legend=dict(orientation="h", y=-0.25),
                                    xaxis=dict(title="shift (pixels, mean of right, left, down, up)", dtick=1),
                                    yaxis=dict(title="accuracy", tickformat=".0%", range=[0, 1.02])))
