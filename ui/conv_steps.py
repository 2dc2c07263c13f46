"""How it works, for convolution and pooling: one output value computed as the kernel slides, a pool's maximum,
and the gradient of a kernel on the way back."""
import inspect

import numpy as np
import pandas as pd
import streamlit as st

from core.nn import conv
from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.explain import walkthrough
from core.nn.gradcheck import nudge, relative_error
from ui import charts, state
from ui.shell import show_chart

NUDGE = 1e-4  # the finite difference's ε: smaller ones drown in rounding when the loss is tiny


def grid_table(values, highlight=None):
    """A small 2-D array as a table with row and column numbers; `highlight` (row, col) marks one cell."""
    table = pd.DataFrame(values, index=range(values.shape[0]), columns=[str(c) for c in range(values.shape[1])])
    shown = table.style.format(lambda v: f"{round(v, 3) + 0.0:.3f}")   # -0.0 + 0.0 = 0.0: zeros show as 0.000
    if highlight is None:
        return shown
    marks = np.full(values.shape, "", dtype=object)
    marks[highlight] = "background-color: #f4c7c3"
    return shown.apply(lambda _: marks, axis=None)


def convolution_steps(net: ConvNet, x, label: int, key: str):
    """The first convolution of `net` on image x (784,): one output value, the max-pool over its maps, and the
    gradient of a kernel for `label`."""
    K, b = net.params()["K1"], net.params()["b1"]                    # (k, k, 1, F), (F,)
    k, _, _, filters = K.shape
    padding = net.convs[0][2]
    maps, _ = conv.conv_forward(np.asarray(x, np.float64).reshape(1, 28, 28, 1), K.astype(np.float64),
                                b.astype(np.float64), padding)       # (1, Ho, Wo, F)
    Ho, Wo = maps.shape[1:3]
    pick, row_col, col_col = st.columns(3)
    f = pick.number_input(f"Filter (0 to {filters - 1})", 0, filters - 1, key=state.kept(f"{key}_filter", 0))
    row = row_col.slider("Output row", 0, Ho - 1, key=state.kept(f"{key}_row", Ho // 2 - 2))
    col = col_col.slider("Output column: slide the kernel", 0, Wo - 1, key=state.kept(f"{key}_col", Wo // 2 - 2))
    top = conv.padding_widths(k, padding)[0]
    image = conv.pad(np.asarray(x, np.float64).reshape(1, 28, 28, 1), k, k, padding)[0, :, :, 0]
    patch, kernel = image[row:row + k, col:col + k], K[:, :, 0, f].astype(np.float64)
    z = float(np.sum(patch * kernel) + b[f])
    a = float(ACTIVATIONS[net.activation].forward(np.array(z)))

    st.markdown(f"The kernel of filter **{f}** ({k}×{k} numbers) sits on the {k}×{k} patch of the image whose top-left "
                f"pixel is ({row - top}, {col - top})" + (f" ({top} pixel(s) of zero padding around the image keep "
                "the output 28×28)" if top else "") + ". Each patch pixel is multiplied by the kernel weight over it, "
                "the products are added up, and the bias is added: that is **one** output value. Sliding the kernel "
                "one pixel at a time gives the whole feature map.")
    left, mid, right = st.columns(3)
    show_chart(charts.image_with_window(image, row, col, k, "the kernel's patch<br>(padded image)"),
               key=f"{key}_where", where=left)
    show_chart(charts.mosaic(kernel[None], 1, [f"filter {f}"], width=300, diverging=True,
                             title=f"filter {f}'s {k}×{k} kernel"), key=f"{key}_kernel", where=mid)
    show_chart(charts.image_with_window(np.maximum(maps[0, :, :, f], 0), row, col, 1,
                                        f"feature map {f}<br>after {net.activation}"),
               key=f"{key}_map", where=right)
    st.markdown("**Patch, kernel, and patch × kernel entry by entry** (rows and columns of the window)")
    products = patch * kernel
    p_col, k_col, x_col = st.columns(3)
    p_col.dataframe(grid_table(patch), width="stretch")
    k_col.dataframe(grid_table(kernel), width="stretch")
    x_col.dataframe(grid_table(products), width="stretch")
    st.latex(rf"z = \sum_{{i,j}} x_{{ij}} K_{{ij}} + b = {np.sum(products):.4f} + ({b[f]:.4f}) = {z:.4f}, \qquad "
             rf"a = \mathrm{{{net.activation.replace('_', ' ')}}}(z) = {a:.4f}")
    st.caption(f"conv_forward computes the same value for all {Ho * Wo:,} positions and {filters} filters at once: "
               f"its entry [{row}, {col}, {f}] is {maps[0, row, col, f]:.4f}. It turns every patch into a row "
               "(im2col) and does one matrix product.")
    st.code(inspect.getsource(conv.im2col) + "\n\n" + inspect.getsource(conv.conv_forward), language="python")
    pooling_steps(maps[0, :, :, f], row, col, net.activation, key)
    kernel_gradient_steps(net, x, image, label, f, key)


def pooling_steps(feature_map, row: int, col: int, activation: str, key: str):
    """The 2×2 max-pool window holding (row, col): its four values and the one that is kept."""
    activated = ACTIVATIONS[activation].forward(feature_map)
    r0, c0 = (min(row, activated.shape[0] - 2) // 2) * 2, (min(col, activated.shape[1] - 2) // 2) * 2
    window = activated[r0:r0 + 2, c0:c0 + 2]
    winner = np.unravel_index(int(np.argmax(window)), (2, 2))
    pooled, _ = conv.maxpool_forward(activated[None, :, :, None])
    st.subheader("Max-pooling: keep each 2×2 window's largest value")
    left, mid, right = st.columns(3)
    show_chart(charts.image_with_window(activated, r0, c0, 2, "the feature map,<br>a 2×2 window outlined"),
               key=f"{key}_pool_where", where=left)
    with mid:
        st.dataframe(grid_table(window, winner), width="stretch")
        st.markdown(f"max = **{window[winner]:.4f}**, at row {r0 + winner[0]}, column {c0 + winner[1]}: only this "
                    "value goes on, so only it gets a gradient in the backward pass.")
    show_chart(charts.image_with_window(pooled[0, :, :, 0], r0 // 2, c0 // 2, 1,
                                        f"after pooling: {pooled.shape[1]}×{pooled.shape[2]}"),
               key=f"{key}_pooled", where=right)
    st.code(inspect.getsource(conv.maxpool_forward) + "\n\n" + inspect.getsource(conv.maxpool_backward),
            language="python")


def kernel_gradient_steps(net: ConvNet, x, image, label: int, f: int, key: str):
    """Backward into the first convolution: filter f's dL/dZ map, its kernel gradient, and one entry three ways.

    `image` is x as the convolution saw it, padded (2-D)."""
    exact = net.copy(np.float64)                                    # float64, so the checks below are exact
    w = walkthrough(exact, x, label)
    dZ = w.deltas["d1"][0, :, :, f]                                 # dL/dZ of conv 1, filter f: (Ho, Wo)
    dK = w.grads["K1"][:, :, 0, f]                                  # (k, k)
    i, j = np.unravel_index(int(np.argmax(np.abs(dK))), dK.shape)
    Ho, Wo = dZ.shape
    shifted = image[i:i + Ho, j:j + Wo]                             # the pixel K[i, j] met at every position
    by_hand = float(np.sum(shifted * dZ))                           # dK[i, j] = sum_{y,x} Xp[y+i, x+j] dZ[y, x]
    check = nudge(exact, "K1", (i, j, 0, f), np.asarray(x, np.float64)[None], np.array([label]), NUDGE)
    st.subheader("Backward: the gradient of a kernel")
    st.markdown(f"With the label **{label}**, backpropagation brings dL/dZ back to the first convolution: one number "
                f"per position and filter. Pooling passes a gradient only to the value each window kept, and "
                f"{net.activation} only where it was active, so most of filter {f}'s map is exactly zero "
                f"({int(np.sum(dZ != 0))} of {dZ.size} positions are not). Each kernel weight met a pixel at every "
                "position, so its gradient adds up pixel × dL/dZ over all of them: dK = colsᵀ dZ, as a dense layer's "
                "dW = Xᵀ dZ.")
    left, mid, right = st.columns(3)
    show_chart(charts.weight_image(dZ, f"dL/dZ of filter {f}<br>at every position", name="dL/dZ"),
               key=f"{key}_dZ", where=left)
    show_chart(charts.digit(shifted, f"the pixel under K[{i}, {j}]<br>at every position", height=300),
               key=f"{key}_shifted", where=mid)
    show_chart(charts.mosaic(dK[None], 1, [f"filter {f}"], width=300, diverging=True,
                             title=f"dK of filter {f}:<br>largest at [{i}, {j}]"), key=f"{key}_dK", where=right)
    st.latex(rf"\frac{{\partial L}}{{\partial K_{{{i}{j}}}}} = \sum_{{y,x}} X_{{y+{i},\,x+{j}}}\, "
             rf"\frac{{\partial L}}{{\partial Z_{{yx}}}} = {by_hand:.6e}")
    cols = st.columns(4)
    cols[0].metric("dK by the sum over positions", f"{by_hand:.6e}")
    cols[1].metric("dK by backprop (colsᵀ dZ)", f"{dK[i, j]:.6e}")
    cols[2].metric(f"dK by nudging K ±{NUDGE:.0e}", f"{check['slope']:.6e}")
    cols[3].metric("Relative error, nudge vs backprop", f"{relative_error(check['slope'], dK[i, j]):.1e}")
    st.caption(f"The loss for this image is {w.loss:.2e}. When the network is sure (a tiny loss), the two nudged "
               "losses differ only in their last digits, where float64's rounding of p ≈ 1 shows, and a nudge can "
               "cross a relu or pooling kink; agreement to 1e-4 or better still says the backward code is right. "
               "An image the network gets wrong has much larger gradients.")
    st.code(inspect.getsource(conv.conv_backward), language="python")
