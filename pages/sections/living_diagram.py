"""The living diagram on a page (Home, Draw, Train, Tutorials): the network's real units for one image, and a
click on a unit opening it below: how its number was computed."""
import streamlit as st

from core.nn.explain import Contributions, contributions
from core.nn.shapes import as_images
from ui import charts
from ui.diagram import EDGES, SHOWN, living_diagram, unit_id, unit_of, unit_title
from ui.shell import side_by_side, show_chart

BARS = {1: "#d62728", -1: "#1f77b4"}  # an input that added to the sum, one that took away


def caption(network, flow: Contributions, clickable: bool) -> str:
    """What the diagram's colours and lines mean, for a dense or a convolutional network."""
    text = (f"Each column is a layer; the colour of a node is what it holds for this image (red positive, blue "
            f"negative, white 0, each layer on its own scale). A layer wider than {SHOWN} shows its {SHOWN} most "
            f"active units and counts the rest. Lines: the {EDGES} strongest connections between two columns' drawn "
            "nodes, red where it added to the sum z of the node on the right, blue where it took away, "
            "its width what it added against the strongest drawn there. ")
    if flow.kinds[0] == "map":
        text += (f"In this convolutional network a node is a feature map, coloured by the mean of the map it passes "
                 f"on (after {network.activation} and max-pooling). A line between two maps is not one weight: it "
                 "is what the input map added through its whole kernel slice to the output map's z, averaged over "
                 "the positions; a line from a map to a dense neuron adds weight × activation over the map's "
                 "pixels. ")
    else:
        text += "A line's width is weight × activation, w·a: a strong weight from a silent neuron carries nothing. "
    return text + "Hover over a node for its equation" + ("; click one to open it below." if clickable else ".")


def opened_unit(key: str, flow: Contributions) -> int:
    """The id of the unit open below the diagram: the learner's last click, else the most probable output."""
    opened = st.session_state.get(key)
    if opened is not None:
        l, i = unit_of(opened)
        if l < len(flow.values) and i < len(flow.values[l]):
            return opened
    return unit_id(len(flow.values) - 1, int(flow.values[-1].argmax()))


def show_living_diagram(network, x, key: str, classes, clickable: bool = True, height: int = 440):
    """The diagram of `network` for one image x (784,) and, if `clickable`, the unit clicked (or the answer) below."""
    flow = contributions(network, x)
    opened_key = f"{key}_opened"

    def open_clicked():
        points = [p for p in st.session_state[key].selection.points if "customdata" in p]
        if points:
            st.session_state[opened_key] = int(points[0]["customdata"])

    opened = opened_unit(opened_key, flow) if clickable else None
    fig = living_diagram(flow, network.activation, network.output, classes, height, chosen=opened)
    if clickable:
        show_chart(fig, key=key, on_select=open_clicked, selection_mode="points")
    else:
        show_chart(fig, key=key)
    st.caption(caption(network, flow, clickable))
    if clickable:
        show_unit(network, flow, x, *unit_of(opened), classes, key)


def show_unit(network, flow: Contributions, x, l: int, i: int, classes, key: str):
    """One unit opened: a pixel's value; a first-layer neuron's 28×28 weights and what each pixel added; a feature
    map; or what each of its inputs added to its sum z, as bars."""
    name = unit_title(flow, l, i, classes)
    title = name[0].upper() + name[1:]
    if l == 0:
        what = "its value" if flow.kinds[0] == "pixel" else "the mean of its pixels"
        st.markdown(f"**{title}** is the input ({what}: {float(flow.values[0][i]):.3f}) and has no weights of its "
                    "own. Click a node further right to see how it was computed.")
        return
    z, b, column = float(flow.z[l - 1][i]), float(flow.b[l - 1][i]), flow.C[l - 1][:, i]
    st.markdown(f"**{title}**: its inputs added **{z - b:.3f}**, its bias **{b:+.3f}**, so z = **{z:.3f}**; it "
                f"holds **{float(flow.values[l][i]):.3f}**.")
    if flow.kinds[l - 1] == "pixel":
        left, right = side_by_side(2)
        show_chart(charts.weight_image(network.weights[l - 1][:, i], f"{name}: its 784 weights", height=330),
                   f"{key}_weights", left)
        show_chart(charts.weight_image(as_images(column), "weight × pixel: what each pixel added", height=330,
                                       name="w·x"), f"{key}_parts", right)
    elif flow.kinds[l] == "map":
        show_map(network, x, l, i, name, column, key)
    else:
        show_chart(input_bars(column, flow.kinds[l - 1]), f"{key}_inputs")


def show_map(network, x, l: int, f: int, name: str, column, key: str):
    """Map f of convolution l for image x, beside its kernel (convolution 1) or what each input map added."""
    maps = network.feature_maps(x)[2 * l - 1][1]                   # (H, W, C) after convolution l and its pooling
    left, right = side_by_side(2)
    show_chart(charts.digit(maps[:, :, f], f"{name}, after {network.activation} and max-pool", height=300),
               f"{key}_map", left)
    if l == 1:                                                     # the image is its one input: show the kernel
        kernel = network.params()["K1"][:, :, 0, f]
        show_chart(charts.weight_image(kernel, f"its {len(kernel)}×{len(kernel)} kernel", height=300),
                   f"{key}_kernel", right)
        return
    show_chart(input_bars(column, "map"), f"{key}_inputs", right)
    st.caption("A map's bar is what that input map added through its kernel slice, averaged over the positions "
               "of this map before the activation and pooling.")


def input_bars(column, inputs: str):
    """What each input (a "neuron" or a "map") added to a unit's z, red where it added, blue where it took away."""
    return charts.bars(column, range(len(column)), f"What each of its {len(column)} inputs added to z", height=300,
                       color=[BARS[1] if c >= 0 else BARS[-1] for c in column], hover=inputs + " %{x}: %{y:+.3f}")
