"""Weights: what each hidden neuron of the current model looks for."""
import hashlib

import numpy as np
import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.explain import neuron_selectivity, neuron_usage
from core.nn.shapes import as_images
from ui import charts, state, tiles
from ui.convolution import choose_image, show_feature_maps, show_filters, show_slice_at_work, strongest_slice
from ui.shell import require_app_shell, show_chart

require_app_shell()

TOP_IMAGES = 12

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
W1, b1 = net.weights[0], net.biases[0]
hidden = W1.shape[1]
data = model.data  # the test set of the dataset it learned from


@st.cache_resource(max_entries=16, show_spinner="Reading the test images through the first layer…")
def first_layer_on_test_images(key: str, weights_digest: str, _net, _data) -> tuple:
    """Every first-layer neuron's output on every test image A (N, H), its votes, selectivity and usage: the same
    for everyone who looks at this model, so computed once per model and weights (a taught copy changes them)."""
    fwd = _net.forward(_data.X_test)
    A = fwd.As[1] if len(_net.weights) > 1 else fwd.logits  # (N, H): every neuron's output on every test image
    hidden = A.shape[1]
    votes, W_next = np.eye(hidden), np.ones((hidden, 1))    # no hidden layer: each "neuron" is a digit's output
    if len(_net.weights) > 1:
        votes = W_next = _net.weights[1]
        for W in _net.weights[2:]:
            votes = votes @ W  # deeper networks: the straight path through later layers, ignoring their activations
    favourite, selectivity = neuron_selectivity(A, _data.test_labels)
    return A, votes, favourite, selectivity, neuron_usage(A, W_next)


A, votes, favourite, selectivity, usage = first_layer_on_test_images(
    model.key, hashlib.sha256(W1.tobytes()).hexdigest(), net, data)
ORDERS = {"number": ("neuron number", np.arange(hidden)),
          "usage": ("most used first", np.argsort(-usage, kind="stable")),
          "vote": ("by the digit it votes for", np.lexsort((-votes.max(axis=1), votes.argmax(axis=1))))}

st.title("What the neurons learned")
if len(net.weights) == 1:
    st.info("This model has no hidden layer: each of the 10 'neurons' below is an output digit's template.",
            icon=":material/info:")
st.markdown(f"Each first-layer neuron of **{model.label}** has one weight per pixel, so its 784 weights can be "
            f"drawn as a 28×28 image: **red** pixels push the neuron up when there is ink there, **blue** ones "
            f"push it down. Here are all {hidden} of them: click one to open it below.")
neuron_key = state.kept(f"weights_neuron_{model.key}", int(selectivity.argmax()))


def open_clicked_neuron():
    """A click on a tile of the grid opens that neuron below."""
    points = st.session_state["weight_grid"].selection.points
    if points:
        st.session_state[neuron_key] = int(points[0]["customdata"])


order = st.segmented_control("Order", list(ORDERS), format_func=lambda o: ORDERS[o][0],
                             key=state.kept("weights_order", "number")) or "number"
shown = ORDERS[order][1]                                     # shown[i]: the neuron on tile i
names = [f"neuron {j}: votes most for {votes[j].argmax()}, used {usage[j]:.2f}" for j in shown]
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
best = int(selectivity.argmax())
st.markdown(f"On the test images, neuron {k} fires most for **{favourite[k]}s**: their mean is "
            f"**{selectivity[k]:.1f}** standard deviations above the other digits' mean. The page opens on neuron "
            f"{best}, the most selective of all ({selectivity[best]:.1f}).")
big, facts = st.columns([3, 2])
with big:
    show_chart(charts.weight_image(W1[:, k], f"neuron {k}: its 784 weights", height=420), key="neuron_big")
with facts:
    st.metric("Bias", f"{b1[k]:+.4f}")
    show_chart(charts.histogram(W1[:, k], f"Its {W1.shape[0]} weights", nbins=40, height=220), key="neuron_hist")
    if len(net.weights) > 1:
        note = "" if len(net.weights) == 2 else " (through later layers, ignoring their activations)"
        show_chart(charts.bars(votes[k], range(10), f"Which outputs it votes for{note}", height=220,
                               color=["#d62728" if v > 0 else "#1f77b4" for v in votes[k]]),
                   key="neuron_votes")

top = np.argsort(-A[:, k], kind="stable")[:TOP_IMAGES]
st.markdown(f"**The {TOP_IMAGES} test images that excite neuron {k} the most**")
show_chart(tiles.mosaic(data.test_images[top] / 255, TOP_IMAGES,
                        [f"#{i}, label {data.test_labels[i]}, activation {A[i, k]:.2f}" for i in top],
                        ), key="neuron_top")

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
