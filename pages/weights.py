"""Weights: what each hidden neuron of the current model looks for."""
import numpy as np
import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.shapes import as_images
from pages.sections.weights_neuron import dead_counts, read_test_images, show_neuron
from ui import charts, state, tiles
from ui.convolution import choose_image, show_feature_maps, show_filters, show_slice_at_work, strongest_slice
from ui.shell import require_app_shell, show_chart

require_app_shell()

model = state.current_model()
net = model.network
if isinstance(net, ConvNet):
    st.title("What the filters learned")
    st.markdown(f"**{model.label}** is a convolutional network ({model.architecture}). Instead of one weight per "
                "pixel, each filter is a small kernel slid over the whole image: **red** weights respond to ink, "
                "**blue** ones to its absence, so a filter with red above blue finds the top edge of a stroke.")
    linked = len(net.convs)                                     # the last convolution's tiles open below
    tile_key = state.kept(f"weights_tile_{model.key}", strongest_slice(net, linked))

    def open_clicked_tile():
        """A click on a tile of the last convolution shows that slice at work on the image below."""
        points = st.session_state[f"weights_filters_{linked}"].selection.points
        if points:
            st.session_state[tile_key] = int(points[0]["customdata"])

    show_filters(net, "weights_filters", st.session_state[tile_key], open_clicked_tile)
    st.subheader("Feature maps for one image")
    x, label = choose_image("weights_maps", model.data)
    show_chart(charts.digit(as_images(x), "the input" + (f", labelled {label}" if label is not None else ""),
                            height=260), key="weights_maps_input")
    if linked > 1:
        show_slice_at_work(net, x, linked, st.session_state[tile_key], "weights_slice")
    show_feature_maps(net, x, "weights_maps")
    st.stop()
W1 = net.weights[0]
hidden = W1.shape[1]
data = model.data  # the test set of the dataset it learned from
classes = data.info.classes
seen = read_test_images(model)
dead = seen.dead[0] if seen.dead else None                   # (H,) the first layer's dead neurons, if it can have any
ORDERS = {"number": ("neuron number", np.arange(hidden)),
          "usage": ("most used first", np.argsort(-seen.usage, kind="stable")),
          "vote": (f"by the {data.info.item} it votes for",
                   np.lexsort((-seen.votes.max(axis=1), seen.votes.argmax(axis=1))))}
if dead is not None and dead.any():
    ORDERS["dead"] = ("dead first", np.argsort(~dead, kind="stable"))

st.title("What the neurons learned")
if len(net.weights) == 1:
    st.info("This model has no hidden layer: each of the 10 'neurons' below is the template of one output class.",
            icon=":material/info:")
st.markdown(f"Each first-layer neuron of **{model.label}** has one weight per pixel, so its 784 weights can be "
            f"drawn as a 28×28 image: **red** pixels push the neuron up when there is ink there, **blue** ones "
            f"push it down. Here are all {hidden} of them: click one to open it below.")
st.markdown(dead_counts(seen.dead, net.activation, len(data.test_labels)))
neuron_key = state.kept(f"weights_neuron_{model.key}", int(seen.selectivity.argmax()))


def open_clicked_neuron():
    """A click on a tile of the grid opens that neuron below."""
    points = st.session_state["weight_grid"].selection.points
    if points:
        st.session_state[neuron_key] = int(points[0]["customdata"])


order_key = state.kept("weights_order", "number")
if st.session_state[order_key] not in ORDERS:                # "dead first" kept from a model that had dead neurons
    st.session_state[order_key] = "number"
order = st.segmented_control("Order", list(ORDERS), format_func=lambda o: ORDERS[o][0], key=order_key) or "number"
shown = ORDERS[order][1]                                     # shown[i]: the neuron on tile i
names = [f"neuron {j}: " + ("dead, never fires" if dead is not None and dead[j] else
                            f"votes most for {classes[seen.votes[j].argmax()]}, used {seen.usage[j]:.2f}")
         for j in shown]
opened = int(np.flatnonzero(shown == st.session_state[neuron_key])[0])
show_chart(tiles.mosaic(as_images(W1.T[shown]), int(np.ceil(np.sqrt(hidden * 1.6))), names,
                        diverging=True, ids=shown, chosen=opened, pixel_names="neuron {}"),
           key="weight_grid", on_select=open_clicked_neuron, selection_mode="points")
st.caption("**Used**: its mean |activation| on the test images times the length of its outgoing weights, "
           "‖W2[k, :]‖: how loudly the next layer hears it. **Votes for**: the output its outgoing weights raise "
           "most; in that order the neurons voting for 0 come first, the strongest vote first, then those for 1, … "
           "Hover over a tile for its numbers.")

st.subheader("One neuron up close")
k = st.number_input(f"Neuron (0 to {hidden - 1})", 0, hidden - 1, key=neuron_key)
show_neuron(net, data, seen, k)

if len(net.weights) > 2:
    st.subheader("Deeper layers: what their neurons respond to")
    st.markdown("A second-layer neuron sees pixels only through the first layer. Multiplying the weights "
                "through, **W1 · W2[:, j]**, gives its effective input template (exact if the first layer "
                "were linear; a good first look even with its activation).")
    layer = st.selectbox("Layer", range(2, len(net.weights)), format_func=lambda l: f"hidden layer {l}",
                         key=state.kept("weights_layer", 2))
    effective = W1
    for W in net.weights[1:layer]:
        effective = effective @ W
    width = effective.shape[1]
    show_chart(tiles.mosaic(as_images(effective.T), min(width, 16),
                            [f"layer {layer}, neuron {j}" for j in range(width)], diverging=True),
               key="deeper")

st.subheader("Before and after training")
initial = model.before_training()
if initial is None:
    st.info("This model does not record how it was initialised, so its starting weights are unknown.",
            icon=":material/info:")
else:
    shown = min(hidden, 24)
    before, after = st.columns(2)
    show_chart(tiles.mosaic(as_images(initial.weights[0][:, :shown].T), 6, "neuron {} before",
                            diverging=True, width=420, title="Random start"), key="before", where=before)
    show_chart(tiles.mosaic(as_images(W1[:, :shown].T), 6, "neuron {} after",
                            diverging=True, width=420, title="After training"), key="after", where=after)
    st.caption("The same neurons: random noise at the start; strokes, blobs and edges after training.")
