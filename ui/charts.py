"""Functions that take arrays and return Plotly figures. No st.* calls here."""
import numpy as np
import plotly.graph_objects as go

GAP = 1  # pixels of empty space between tiles in a mosaic
DIVERGING = "RdBu_r"  # blue negative, white zero, red positive
INK = "gray"
COLORS = {"train": "#1f77b4", "val": "#ff7f0e", "batch": "rgba(31,119,180,0.35)", "test": "#2ca02c"}
SENT = np.float32  # arrays reach the browser as typed arrays: single precision halves them, and shows the same


def layout(height: int, title: str | None = None, square: bool = False, **extra) -> dict:
    """A figure's layout in one dict: passed to the constructor at once, it validates once (update_* calls
    validate the whole figure each time, which made a drawing's charts 5x slower)."""
    base = dict(height=height, margin=dict(l=10, r=10, t=40 if title else 10, b=10), title=title)
    if square:
        base["xaxis"] = dict(visible=False, constrain="domain")
        base["yaxis"] = dict(visible=False, autorange="reversed", scaleanchor="x")
    for key, value in extra.items():
        base[key] = {**base.get(key, {}), **value} if isinstance(value, dict) else value
    return base


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
    trace = go.Heatmap(z=grid, colorscale=DIVERGING, zmin=-limit, zmax=limit, zmid=0,
                       hovertemplate="pixel (%{y}, %{x})<br>" + name + " %{z:.4f}<extra></extra>")
    return go.Figure(trace, layout(height, title, square=True))


def tile(images, columns: int) -> tuple:
    """Lay n images (n, h, w) out in a grid with NaN gaps: (mosaic, index of the tile under each pixel)."""
    n, h, w = images.shape
    rows = -(-n // columns)
    mosaic = np.full((rows * (h + GAP) - GAP, columns * (w + GAP) - GAP), np.nan)
    owner = np.full(mosaic.shape, -1)
    for i, img in enumerate(images):
        r, c = divmod(i, columns)
        mosaic[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = img
        owner[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w] = i
    return mosaic, owner


def mosaic(images, columns: int, names=None, width: int = 800, diverging: bool = False,
           title: str | None = None) -> go.Figure:
    """Many 28x28 images in one heatmap (one trace renders far faster than one subplot each).

    `names`, one per image, show on hover; without them the chart is a third of the size. A pattern such as
    "neuron {}" names image k "neuron k" from a small number under every pixel instead of a string: for 256
    neurons, 2.3 MB and 0.15 s to make instead of 3.9 MB and 1 s. `width` is about how many pixels wide it will
    be drawn; the height follows from the grid's shape.
    """
    images = np.asarray(images, dtype=float)
    grid, owner = tile(images, columns)
    grid = grid.astype(SENT)
    if names is None:  # no name under every pixel: a third of the size, for charts redrawn live
        hover = dict(hovertemplate="value %{z:.3f}<extra></extra>")
    elif isinstance(names, str):
        hover = dict(customdata=owner.astype(np.int16),
                     hovertemplate=names.replace("{}", "%{customdata}") + "<br>value %{z:.3f}<extra></extra>")
    else:
        names = np.asarray(names, dtype=object)
        hover = dict(text=np.where(owner >= 0, names[np.clip(owner, 0, None)], ""),
                     hovertemplate="%{text}<br>value %{z:.3f}<extra></extra>")
    if diverging:
        limit = float(np.nanmax(np.abs(grid))) or 1.0
        scale = dict(colorscale=DIVERGING, zmin=-limit, zmax=limit, zmid=0, showscale=True)
    else:
        scale = dict(colorscale=INK, zmin=0, zmax=float(np.nanmax(grid)) or 1.0, showscale=False)
    trace = go.Heatmap(z=grid, hoverongaps=False, **hover, **scale)
    height = int(width * grid.shape[0] / grid.shape[1]) + (60 if title else 20) + (0 if not diverging else 10)
    return go.Figure(trace, layout(min(height, 1400), title, square=True))


def probabilities(p, highlight: int | None = None, title: str = "Probability of each digit",
                  height: int = 280) -> go.Figure:
    """Ten bars, the chosen digit highlighted."""
    p = np.asarray(p, dtype=float)
    colors = ["#d62728" if k == highlight else "#1f77b4" for k in range(len(p))]
    trace = go.Bar(x=[str(k) for k in range(len(p))], y=p, marker_color=colors,
                   text=[f"{v:.0%}" if v >= 0.01 else "" for v in p], textposition="outside",
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
    trace = go.Bar(x=list(labels), y=np.asarray(values, dtype=float), marker_color=color,
                   hovertemplate=hover + "<extra></extra>")
    return go.Figure(trace, layout(height, title, xaxis=dict(type="category" if categories else "linear"),
                                   yaxis=dict(type="log" if log_y else "linear")))


def histogram(values, title: str, nbins: int = 50, height: int = 260) -> go.Figure:
    return go.Figure(go.Histogram(x=np.ravel(values), nbinsx=nbins, marker_color="#1f77b4"), layout(height, title))


def loss_curve(step_epochs, step_losses, epoch_events, height: int = 320) -> go.Figure:
    """Batch loss after every step (faint) and mean train / validation loss after every epoch."""
    fig = go.Figure()
    fig.add_scatter(x=np.asarray(step_epochs, SENT), y=np.asarray(step_losses, SENT), mode="lines", name="batch loss",
                    line=dict(color=COLORS["batch"]))
    epochs = [e.epoch for e in epoch_events]
    fig.add_scatter(x=epochs, y=[e.train_loss for e in epoch_events], mode="lines+markers", name="train loss (epoch mean)",
                    line=dict(color=COLORS["train"]))
    fig.add_scatter(x=epochs, y=[e.val_loss for e in epoch_events], mode="lines+markers", name="validation loss",
                    line=dict(color=COLORS["val"]))
    fig.update_layout(layout(height, xaxis=dict(title="epoch", rangemode="tozero"),
                             yaxis=dict(title="loss", rangemode="tozero"), legend=dict(orientation="h", y=1.12)))
    return fig


def accuracy_curve(epoch_events, height: int = 280) -> go.Figure:
    epochs = [e.epoch for e in epoch_events]
    fig = go.Figure()
    fig.add_scatter(x=epochs, y=[e.train_accuracy for e in epoch_events], mode="lines+markers", name="train",
                    line=dict(color=COLORS["train"]))
    fig.add_scatter(x=epochs, y=[e.val_accuracy for e in epoch_events], mode="lines+markers", name="validation",
                    line=dict(color=COLORS["val"]))
    fig.update_layout(layout(height, xaxis=dict(title="epoch", rangemode="tozero"),
                             yaxis=dict(title="accuracy", tickformat=".1%"), legend=dict(orientation="h", y=1.15)))
    return fig


def confusion(C, height: int = 480, chosen: tuple[int, int] | None = None) -> go.Figure:
    """The confusion matrix: rows are true digits, columns predicted; the count in every cell.

    With `chosen` (true, predicted), a clear marker over every cell makes the cells clickable (Plotly's heatmaps
    report no clicked cell to Streamlit; markers do) and the chosen cell is outlined.
    """
    C = np.asarray(C)
    digits = [str(k) for k in range(10)]
    trace = go.Heatmap(z=np.log1p(C), text=C, texttemplate="%{text}", colorscale="Blues", showscale=False,
                       x=digits, y=digits, hovertemplate="true %{y}, predicted %{x}: %{text} images<extra></extra>",
                       hoverinfo="skip" if chosen else None)               # the markers answer hovers and clicks
    fig = go.Figure(trace, layout(height, xaxis=dict(title="predicted", type="category", side="top", showgrid=False,
                                             constrain="domain"),
                                  yaxis=dict(title="true", type="category", autorange="reversed", scaleanchor="x",
                                             showgrid=False), hoverdistance=40))
    if chosen is not None:
        true, said = np.divmod(np.arange(100), 10)                      # point k is cell (k // 10, k % 10)
        fig.add_scatter(x=said.astype(str), y=true.astype(str), mode="markers", customdata=C.reshape(-1),
                        marker=dict(symbol="square-open", size=34, color="rgba(0,0,0,0)", line=dict(width=3)),
                        selectedpoints=[chosen[0] * 10 + chosen[1]], selected=dict(marker=dict(color="#d62728")),
                        hovertemplate="true %{y}, predicted %{x}: %{customdata} images<br>click to see them"
                                      "<extra></extra>")
    return fig


def network_diagram(sizes, activation: str, output: str, height: int = 300, shown: int = 12) -> go.Figure:
    """The network as columns of neurons (at most `shown` drawn per layer) joined by their connections."""
    fig = go.Figure()
    columns = []
    for layer, size in enumerate(sizes):
        count = min(size, shown)
        ys = np.linspace(-1, 1, count) if count > 1 else np.zeros(1)
        columns.append((layer, ys))
    for (x0, ys0), (x1, ys1) in zip(columns[:-1], columns[1:]):
        xs, ys = [], []
        for a in ys0:
            for b in ys1:
                xs += [x0, x1, None]
                ys += [a, b, None]
        fig.add_scatter(x=xs, y=ys, mode="lines", line=dict(color="rgba(120,120,120,0.15)", width=1), hoverinfo="skip")
    names = ["input pixels"] + [f"hidden ({activation})"] * (len(sizes) - 2) + [f"output ({output})"]
    for (x, ys), size, name in zip(columns, sizes, names):
        fig.add_scatter(x=[x] * len(ys), y=ys, mode="markers", marker=dict(size=12, color="#1f77b4"),
                        hovertemplate=f"{name}: {size} neurons<extra></extra>")
        fig.add_annotation(x=x, y=-1.3, text=f"<b>{size}</b><br>{name}" + (" (…)" if size > shown else ""),
                           showarrow=False)
    fig.update_layout(layout(height, xaxis=dict(visible=False), yaxis=dict(visible=False, range=[-1.6, 1.2]),
                             showlegend=False))
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
