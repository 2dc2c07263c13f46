"""What pages show of a network's first layer and of a convolutional network's filters and feature maps."""
import numpy as np
import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.conv import conv_forward
from core.nn.shapes import as_images
from ui import charts, state, tiles
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
    return as_images(W1[:, :shown].T), [f"neuron {k}" for k in range(shown)], "first-layer neurons' weights"


def show_filters(network: ConvNet, key: str, chosen: int | None = None, on_select=None):
    """Every kernel of every convolution as a small heatmap: red weights add ink's brightness, blue subtract it.

    A convolution with several input maps shows filters as rows and input maps as columns, labelled; a click on
    a tile calls `on_select` (its id, f * C + c, is in the chart's selection) and the tile `chosen` is outlined.
    """
    for l, (filters, kernel, padding) in enumerate(network.convs, start=1):
        K = network.params()[f"K{l}"]                           # (k, k, C, F)
        channels = K.shape[2]
        if channels == 1:
            images, names, columns = K[:, :, 0].transpose(2, 0, 1), [f"filter {f}" for f in range(filters)], min(filters, 8)
            what, links = f"{filters} filters of {kernel}×{kernel}, one per feature map", {}
        else:
            images = K.transpose(3, 2, 0, 1).reshape(-1, kernel, kernel)   # row f: filter f's slice for each map c
            names = [f"filter {f}, input map {c}" for f in range(filters) for c in range(channels)]
            columns = channels
            what = f"{filters} filters (rows) of {kernel}×{kernel}×{channels}: one slice per input map (columns)"
            links = dict(ids=range(len(images)), chosen=chosen, row_labels=[f"filter {f}" for f in range(filters)],
                         column_labels=[f"map {c}" if c % 5 == 0 else str(c) for c in range(channels)])
        show_chart(tiles.mosaic(images, columns, names, diverging=True, width=min(800, 75 * columns),
                                title=f"Convolution {l}: {what}", **links), key=f"{key}_{l}",
                   on_select=on_select if links and on_select else "ignore", selection_mode="points")


def strongest_slice(network: ConvNet, l: int) -> int:
    """The tile f * C + c of convolution l whose kernel slice K[:, :, c, f] has the largest norm."""
    K = network.params()[f"K{l}"]                               # (k, k, C, F)
    norms = np.linalg.norm(K.reshape(-1, *K.shape[2:]), axis=0)  # (C, F)
    c, f = np.unravel_index(norms.argmax(), norms.shape)
    return int(f * K.shape[2] + c)


def show_slice_at_work(network: ConvNet, x, l: int, tile: int, key: str):
    """One tile of convolution l at work on image x: input map c, the kernel slice K[:, :, c, f], what it adds to
    output map f, and map f itself (the sum of such parts over every input map, plus the bias, then the activation).

    `tile` is f * C + c, the position of the slice in show_filters' grid.
    """
    K, b = network.params()[f"K{l}"], network.params()[f"b{l}"]
    f, c = divmod(tile, K.shape[2])
    maps = [m for _, m in network.feature_maps(x)]
    before, after = maps[2 * l - 3], maps[2 * l - 2]            # after max-pool l-1; after convolution l
    part = conv_forward(before[None, :, :, c:c + 1], K[:, :, c:c + 1, f:f + 1], np.zeros(1, K.dtype),
                        network.convs[l - 1][2])[0][0, :, :, 0]  # (Ho, Wo): input map c through slice (c, f)
    st.markdown(f"**Filter {f}, input map {c} of convolution {l}** at work on this image (click another tile above)")
    cols = st.columns(4)
    show_chart(charts.digit(before[:, :, c], f"input map {c}", height=220), f"{key}_in", cols[0])
    show_chart(charts.weight_image(K[:, :, c, f], f"its {K.shape[0]}×{K.shape[1]} weights", height=220),
               f"{key}_slice", cols[1])
    show_chart(charts.weight_image(part, f"its part of map {f}", height=220, name="part"), f"{key}_part", cols[2])
    show_chart(charts.digit(after[:, :, f], f"map {f} after convolution {l}", height=220), f"{key}_out", cols[3])
    st.caption(f"Map {f} adds up such a part from each of the {K.shape[2]} input maps, plus its bias "
               f"({b[f]:+.3f}), then {network.activation}: a slice with red weights passes its input map's bright "
               "places on, a blue one holds them back.")


def show_feature_maps(network: ConvNet, x, key: str):
    """The maps after each convolution (+ activation) and after each pooling, for one image x (784,)."""
    for i, (name, maps) in enumerate(network.feature_maps(x)):
        H, W, C = maps.shape
        columns = min(C, 8)
        show_chart(tiles.mosaic(maps.transpose(2, 0, 1), columns, [f"{name}, map {c}" for c in range(C)],
                                width=min(800, 100 * columns), title=f"After {name}: {C} maps of {H}×{W}"),
                   key=f"{key}_{i}")
    st.caption("Bright = strong response. Each map is one filter slid over the image before it: the first "
               "convolution finds strokes and edges, pooling keeps each 2×2 window's strongest response (so a "
               "small shift changes little), the second convolution combines them into parts of digits.")



def choose_image(key: str, data) -> tuple:
    """The learner's latest drawing (for a digit model) or a test image of `data` (ui.resources.Dataset) by index:
    (x (784,), its label or None for a drawing)."""
    drawing = st.session_state.get(state.LAST_DIGIT) if data.name == "mnist" else None
    sources = (["drawing"] if drawing is not None else []) + ["test"]
    source = st.segmented_control("Image", sources, key=state.kept(f"{key}_source", sources[0]),
                                  format_func={"drawing": "My latest drawing", "test": "A test image"}.get) or sources[0]
    if source == "drawing" and drawing is not None:
        return drawing, None
    index = st.number_input("Test image index", 0, len(data.test_labels) - 1, key=state.kept(f"{key}_index", 0))
    return data.X_test[index], int(data.test_labels[index])
