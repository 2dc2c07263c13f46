"""What pages show of a network's first layer and of a convolutional network's filters and feature maps."""
import streamlit as st

from core.nn.cnn import ConvNet
from ui import charts, state
from ui.resources import dataset
from ui.shell import show_chart


def first_layer_tiles(network, count: int) -> tuple:
    """(images, names, what they are) for the first `count` units of the first layer: 28×28 weight images of a
    dense network's neurons, k×k kernels of a convolutional network's filters."""
    if isinstance(network, ConvNet):
        K = network.params()["K1"]                              # (k, k, 1, F)
        shown = min(count, K.shape[3])
        return K[:, :, 0, :shown].transpose(2, 0, 1), [f"filter {f}" for f in range(shown)], "first-layer filters"
    W1 = network.weights[0]
    shown = min(count, W1.shape[1])
    return W1[:, :shown].T.reshape(-1, 28, 28), [f"neuron {k}" for k in range(shown)], "first-layer neurons' weights"


def show_filters(network: ConvNet, key: str):
    """Every kernel of every convolution as a small heatmap: red weights add ink's brightness, blue subtract it."""
    for l, (filters, kernel, padding) in enumerate(network.convs, start=1):
        K = network.params()[f"K{l}"]                           # (k, k, C, F)
        channels = K.shape[2]
        if channels == 1:
            images, names, columns = K[:, :, 0].transpose(2, 0, 1), [f"filter {f}" for f in range(filters)], min(filters, 8)
            what = f"{filters} filters of {kernel}×{kernel}, one per feature map"
        else:
            images = K.transpose(3, 2, 0, 1).reshape(-1, kernel, kernel)   # row f: filter f's slice for each map c
            names = [f"filter {f}, input map {c}" for f in range(filters) for c in range(channels)]
            columns = channels
            what = f"{filters} filters (rows) of {kernel}×{kernel}×{channels}: one slice per input map (columns)"
        show_chart(charts.mosaic(images, columns, names, diverging=True, width=min(800, 75 * columns),
                                 title=f"Convolution {l}: {what}"), key=f"{key}_{l}")


def show_feature_maps(network: ConvNet, x, key: str):
    """The maps after each convolution (+ activation) and after each pooling, for one image x (784,)."""
    for i, (name, maps) in enumerate(network.feature_maps(x)):
        H, W, C = maps.shape
        columns = min(C, 8)
        show_chart(charts.mosaic(maps.transpose(2, 0, 1), columns, [f"{name}, map {c}" for c in range(C)],
                                 width=min(800, 100 * columns), title=f"After {name}: {C} maps of {H}×{W}"),
                   key=f"{key}_{i}")
    st.caption("Bright = strong response. Each map is one filter slid over the image before it: the first "
               "convolution finds strokes and edges, pooling keeps each 2×2 window's strongest response (so a "
               "small shift changes little), the second convolution combines them into parts of digits.")



def choose_image(key: str) -> tuple:
    """The learner's latest drawing or a test image by index: (x (784,), its label or None for a drawing)."""
    data = dataset()
    drawing = st.session_state.get(state.LAST_DIGIT)
    sources = (["drawing"] if drawing is not None else []) + ["test"]
    source = st.segmented_control("Image", sources, key=state.kept(f"{key}_source", sources[0]),
                                  format_func={"drawing": "My latest drawing", "test": "A test image"}.get) or sources[0]
    if source == "drawing" and drawing is not None:
        return drawing, None
    index = st.number_input("Test image index", 0, len(data.test_labels) - 1, key=state.kept(f"{key}_index", 0))
    return data.X_test[index], int(data.test_labels[index])
