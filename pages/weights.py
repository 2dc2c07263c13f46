"""Weights: what each hidden neuron of the current model looks for."""
import numpy as np
import streamlit as st

from core.cnn import ConvNet
from ui import charts, state
from ui.convolution import choose_image, show_feature_maps, show_filters
from ui.resources import dataset
from ui.shell import require_app_shell

require_app_shell()

TOP_IMAGES = 12

model = state.current_model()
net = model.network
if isinstance(net, ConvNet):
    st.title("What the filters learned")
    st.markdown(f"**{model.label}** is a convolutional network ({model.architecture}). Instead of one weight per "
                "pixel, each filter is a small kernel slid over the whole image: **red** weights respond to ink, "
                "**blue** ones to its absence, so a filter with red above blue finds the top edge of a stroke.")
    show_filters(net, "weights_filters")
    st.subheader("Feature maps for one image")
    x, label = choose_image("weights_maps")
    st.plotly_chart(charts.digit(x.reshape(28, 28), "the input" + (f", labelled {label}" if label is not None else ""),
                                 height=260), key="weights_maps_input")
    show_feature_maps(net, x, "weights_maps")
    st.stop()
W1, b1 = net.weights[0], net.biases[0]
st.title("What the neurons learned")
if len(net.weights) == 1:
    st.info("This model has no hidden layer: each of the 10 'neurons' below is an output digit's template.",
            icon=":material/info:")

hidden = W1.shape[1]
st.markdown(f"Each first-layer neuron of **{model.label}** has one weight per pixel, so its 784 weights can be "
            f"drawn as a 28×28 image: **red** pixels push the neuron up when there is ink there, **blue** ones "
            f"push it down. Here are all {hidden} of them.")
columns = int(np.ceil(np.sqrt(hidden * 1.6)))
st.plotly_chart(charts.mosaic(W1.T.reshape(-1, 28, 28), columns, "neuron {}", diverging=True),
                key="weight_grid")

st.subheader("One neuron up close")
k = st.number_input(f"Neuron (0 to {hidden - 1})", 0, hidden - 1, key=state.kept("weights_neuron", 0))
big, facts = st.columns([3, 2])
with big:
    st.plotly_chart(charts.weight_image(W1[:, k], f"neuron {k}: its 784 weights", height=420), key="neuron_big")
with facts:
    st.metric("Bias", f"{b1[k]:+.4f}")
    st.plotly_chart(charts.histogram(W1[:, k], f"Its {W1.shape[0]} weights", nbins=40, height=220), key="neuron_hist")
    if len(net.weights) > 1:
        votes = net.weights[1][k]
        for W in net.weights[2:]:
            votes = votes @ W  # deeper networks: the straight path through later layers, ignoring their activations
        note = "" if len(net.weights) == 2 else " (through later layers, ignoring their activations)"
        st.plotly_chart(charts.bars(votes, range(votes.size), f"Which outputs it votes for{note}", height=220,
                                    color=["#d62728" if v > 0 else "#1f77b4" for v in votes]),
                        key="neuron_votes")

data = dataset()
activation = net.forward(data.X_test).As[1][:, k] if len(net.weights) > 1 else net.forward(data.X_test).Zs[0][:, k]
top = np.argsort(-activation, kind="stable")[:TOP_IMAGES]
st.markdown(f"**The {TOP_IMAGES} test images that excite neuron {k} the most**")
st.plotly_chart(charts.mosaic(data.test_images[top] / 255, TOP_IMAGES,
                              [f"#{i}, label {data.test_labels[i]}, activation {activation[i]:.2f}" for i in top],
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
    st.plotly_chart(charts.mosaic(effective.T.reshape(-1, 28, 28), min(width, 16),
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
    before.plotly_chart(charts.mosaic(initial.weights[0][:, :shown].T.reshape(-1, 28, 28), 6,
                                      "neuron {} before", diverging=True, width=420,
                                      title="Random start"), key="before")
    after.plotly_chart(charts.mosaic(W1[:, :shown].T.reshape(-1, 28, 28), 6,
                                     "neuron {} after", diverging=True, width=420,
                                     title="After training"), key="after")
    st.caption("The same neurons: random noise at the start; strokes, blobs and edges after training.")
