"""The living diagram: the network's real units, coloured by what one image makes them hold, joined by the
connections that carried the most. Arrays in (core.nn.explain.Contributions), a Plotly figure out; no st.* here."""
import numpy as np
import plotly.graph_objects as go

from core.nn.explain import Contributions
from core.nn.shapes import SIDE
from ui.charts import DIVERGING, SENT, layout

SHOWN = 16          # units drawn per layer: all of a smaller layer, else its most active ones
EDGES = 48          # connections drawn between two layers: the largest |weight × activation|
WIDTHS = (1, 2.5, 4.5)  # line widths of the weakest, middle and strongest third of the drawn connections
SIGNS = {1: "rgba(214,39,40,{})", -1: "rgba(31,119,180,{})"}  # red adds to the sum, blue takes away
ID_BASE = 1 << 20   # a unit's id, the customdata a click reports: layer * ID_BASE + unit
NODE, OUTLINE = 16, "#888"


def unit_id(l: int, i: int) -> int:
    return l * ID_BASE + i


def unit_of(unit: int) -> tuple:
    """(layer, unit) of a clicked node's id."""
    return divmod(int(unit), ID_BASE)


def shown_units(flow: Contributions, l: int, shown: int = SHOWN) -> np.ndarray:
    """The units of layer l drawn, in order: all of them if few (and every output), else the `shown` with the
    largest |a|, ties broken by what they pass on, sum_j |C_{l+1}[i, j]| (many pixels are equally white)."""
    a = flow.values[l]
    if len(a) <= shown or l == len(flow.values) - 1:
        return np.arange(len(a))
    passed_on = np.abs(flow.C[l]).sum(axis=1)
    return np.sort(np.lexsort((-passed_on, -np.abs(a)))[:shown])


def unit_name(flow: Contributions, l: int, i: int, classes) -> str:
    kind = flow.kinds[l]
    if kind == "pixel":
        return "pixel ({}, {})".format(*divmod(i, SIDE))
    if kind == "output":
        return str(classes[i])
    if kind == "map":
        return "the image" if l == 0 else f"map {i}"
    return f"neuron {i}"


def unit_title(flow: Contributions, l: int, i: int, classes) -> str:
    """A unit with where it sits: "neuron 87 of layer 1", "map 3 of convolution 1", "output 7"."""
    kind, name = flow.kinds[l], unit_name(flow, l, i, classes)
    if l == 0 or kind == "output":
        return name if l == 0 else f"output {name}"
    return f"{name} of {'convolution' if kind == 'map' else 'layer'} {l}"


def layer_title(flow: Contributions, l: int) -> str:
    n, kind = len(flow.values[l]), flow.kinds[l]
    if l == 0:
        return f"<b>{n}</b> pixels" if kind == "pixel" else "<b>the image</b>"
    if kind == "output":
        return f"<b>{n}</b> outputs"
    return f"<b>{n}</b> {'maps' if kind == 'map' else 'neurons'}"


def equation(flow: Contributions, l: int, i: int, activation: str, output: str, classes, inputs: int = 3) -> str:
    """What a node's hover says: its value, and how it was computed, with the numbers and its largest inputs."""
    a, kind, name = float(flow.values[l][i]), flow.kinds[l], unit_title(flow, l, i, classes)
    if l == 0:
        return f"{name}<br>a = {a:.3f}" if kind == "pixel" else f"the image<br>mean pixel value {a:.3f}"
    z, b = float(flow.z[l - 1][i]), float(flow.b[l - 1][i])
    column = flow.C[l - 1][:, i]
    top = np.argsort(-np.abs(column), kind="stable")[:inputs]
    largest = ", ".join(f"{unit_name(flow, l - 1, int(k), classes)} {column[k]:+.2f}" for k in top)
    sign = "−" if b < 0 else "+"
    if kind == "map":
        head = (f"{name}<br>mean after {activation} and max-pool: {a:.3f}<br>"
                f"mean z = Σ (each input map's part) + b = {z - b:.2f} {sign} {abs(b):.2f} = {z:.2f}")
    else:
        head = f"{name}: p = {output}(z) = {a:.1%}" if kind == "output" else f"{name}<br>a = {activation}(z) = {a:.3f}"
        head += f"<br>z = Σ w·a + b = {z - b:.2f} {sign} {abs(b):.2f} = {z:.2f}"
    return f"{head}<br>largest inputs: {largest}"


def positions(count: int) -> np.ndarray:
    """Heights of `count` nodes, top to bottom, spread over [-1, 1]."""
    return np.linspace(1, -1, count) if count > 1 else np.zeros(1)


def edge_segments(flow: Contributions, l: int, rows, cols, edges: int) -> np.ndarray:
    """The strongest connections into layer l among the drawn nodes, one row each: x0, y0, x1, y1, sign (+1 or -1),
    and which third of the widths it gets (|C| against the strongest drawn into layer l).  (<= edges, 6)"""
    C = flow.C[l - 1][np.ix_(rows, cols)]                     # (shown in l-1, shown in l)
    strength = np.abs(C).ravel()
    strongest = np.argsort(-strength, kind="stable")[:edges]
    strongest = strongest[strength[strongest] > 0]
    share = strength[strongest] / (strength[strongest[0]] if len(strongest) else 1)   # 1 for the strongest
    r, c = np.divmod(strongest, len(cols))
    return np.column_stack([np.full(len(r), l - 1), positions(len(rows))[r], np.full(len(r), l),
                            positions(len(cols))[c], np.sign(C.ravel()[strongest]),
                            np.minimum((share * len(WIDTHS)).astype(int), len(WIDTHS) - 1)])


def edge_traces(segments: np.ndarray) -> list:
    """Every drawn connection in a few line traces, one per sign and width (one trace per line is far slower)."""
    traces = []
    for s, colour in SIGNS.items():
        for w, width in enumerate(WIDTHS):
            picked = segments[(segments[:, 4] == s) & (segments[:, 5] == w)]
            if len(picked):
                gap = np.full(len(picked), np.nan)                  # NaN between lines: one trace, many lines
                xs = np.column_stack([picked[:, 0], picked[:, 2], gap])   # x0, x1, NaN for every line
                ys = np.column_stack([picked[:, 1], picked[:, 3], gap])
                traces.append(go.Scatter(x=xs.ravel().astype(SENT), y=ys.ravel().astype(SENT), mode="lines",
                                         hoverinfo="skip", line=dict(width=width, color=colour.format(0.3 + 0.2 * w))))
    return traces


def node_trace(flow: Contributions, l: int, units, hover: list, classes) -> go.Scatter:
    """Layer l's drawn nodes: colour = the unit's value (its own layer's scale, 0 white), id in customdata."""
    a = flow.values[l]
    limit = float(np.abs(a).max()) or 1.0
    output = flow.kinds[l] == "output"
    labels = [f"{classes[i]} · {a[i]:.0%}" for i in units] if output else None
    return go.Scatter(x=np.full(len(units), l), y=positions(len(units)), mode="markers+text" if output else "markers",
                      text=labels, textposition="middle right", cliponaxis=False, hovertext=hover, hoverinfo="text",
                      customdata=[unit_id(l, int(i)) for i in units],
                      marker=dict(size=NODE, color=a[units].astype(SENT), colorscale=DIVERGING, cmin=-limit,
                                  cmax=limit, line=dict(color=OUTLINE, width=1)))


def living_diagram(flow: Contributions, activation: str, output: str, classes, height: int = 440,
                   chosen: int | None = None, shown: int = SHOWN, edges: int = EDGES) -> go.Figure:
    """The network as columns of its real units for one image, coloured by their values, the outputs labelled with
    their probabilities, joined by the `edges` strongest connections between each pair of drawn layers (red adds,
    blue takes away, width |C| against the strongest drawn there). The node with id `chosen` is ringed."""
    layers = range(len(flow.values))
    units = [shown_units(flow, l, shown) for l in layers]
    traces = edge_traces(np.vstack([edge_segments(flow, l, units[l - 1], units[l], edges) for l in layers[1:]]))
    notes = [dict(x=l, y=1.12, text=layer_title(flow, l), showarrow=False, yanchor="bottom") for l in layers]
    notes += [dict(x=l, y=-1.12, text=f"+{len(flow.values[l]) - len(units[l])} more", showarrow=False,
                   yanchor="top") for l in layers if len(units[l]) < len(flow.values[l])]
    if chosen is not None:
        l, i = unit_of(chosen)
        where = np.flatnonzero(units[l] == i) if l < len(units) else []
        if len(where):
            traces.append(go.Scatter(x=[l], y=positions(len(units[l]))[where], mode="markers", hoverinfo="skip",
                                     marker=dict(size=NODE + 8, color="rgba(0,0,0,0)",
                                                 line=dict(color="#222", width=2))))   # under its node and label
    traces += [node_trace(flow, l, units[l], [equation(flow, l, int(i), activation, output, classes)
                                              for i in units[l]], classes) for l in layers]
    label = 7.5 * (max(len(str(c)) for c in classes) + len(" · 100%")) + 20   # pixels for "Ankle boot · 97%"
    return go.Figure(traces, layout(height, showlegend=False, hovermode="closest", annotations=notes,
                                    margin=dict(r=round(label)),
                                    xaxis=dict(visible=False, range=[-0.3, len(units) - 0.85], fixedrange=True),
                                    yaxis=dict(visible=False, range=[-1.35, 1.35], fixedrange=True)))
