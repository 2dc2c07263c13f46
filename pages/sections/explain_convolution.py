"""How it works, for convolution and pooling, in three steps: one output value computed as the kernel slides,
a pool's maximum, and the gradient of a kernel on the way back."""
import numpy as np
import pandas as pd
import streamlit as st

from core.nn import conv
from core.nn.activations import ACTIVATIONS
from core.nn.cnn import ConvNet
from core.nn.explain import walkthrough
from core.nn.gradcheck import nudge, relative_error
from pages.sections.explain import show_code
from ui import charts, state, tiles
from ui.numbers import latex, readable
from ui.shell import show_chart, side_by_side

NUDGE = 1e-4  # the finite difference's ε: smaller ones drown in rounding when the loss is tiny
HEIGHT = 250  # each of the three pictures side by side


def three_decimals(v: float) -> str:
    return f"{round(v, 3) + 0.0:.3f}"          # -0.0 + 0.0 = 0.0: a zero shows as 0.000, never -0.000


def grid_table(values, highlight=None):
    """A small 2-D array as a table with row and column numbers; `highlight` (row, col) marks one cell."""
    table = pd.DataFrame(values, index=range(values.shape[0]), columns=[str(c) for c in range(values.shape[1])])
    shown = table.style.format(three_decimals)
    if highlight is None:
        return shown
    marks = np.full(values.shape, "", dtype=object)
    marks[highlight] = "background-color: #f4c7c3"
    return shown.apply(lambda _: marks, axis=None)


def matrix(values) -> str:
    """A small 2-D array as a LaTeX matrix with three decimals."""
    rows = (" & ".join(map(three_decimals, row)) for row in values)
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def first_convolution(net: ConvNet, x) -> tuple:
    """The first convolution on image x (784,), in float64: (the padded image (Hp, Wp), kernels (k, k, 1, F),
    biases (F,), feature maps before the activation (Ho, Wo, F))."""
    X = np.asarray(x, np.float64).reshape(1, 28, 28, 1)
    K, b = net.params()["K1"].astype(np.float64), net.params()["b1"].astype(np.float64)
    padding = net.convs[0][2]
    maps, _ = conv.conv_forward(X, K, b, padding)                     # (1, Ho, Wo, F)
    return conv.pad(X, K.shape[0], K.shape[0], padding)[0, :, :, 0], K, b, maps[0]


def where(maps, key: str, position: bool = True, place=None) -> tuple:
    """The learner's filter and, with `position`, the output row and column: (f, row, col). Side by side, or
    one under the other in `place`."""
    Ho, Wo, filters = maps.shape
    pick, row_col, col_col = st.columns(3) if place is None else (place, place, place)
    f = pick.number_input(f"Filter (0 to {filters - 1})", 0, filters - 1, key=state.kept(f"{key}_filter", 0))
    if not position:
        return f, None, None
    row = row_col.slider("Output row", 0, Ho - 1, key=state.kept(f"{key}_row", Ho // 2 - 2))
    col = col_col.slider("Output column: slide the kernel", 0, Wo - 1, key=state.kept(f"{key}_col", Wo // 2 - 2))
    return f, row, col


def convolution_step(net: ConvNet, x, key: str):
    """One output value of filter f at (row, col): patch × kernel, summed, plus the bias."""
    image, K, b, maps = first_convolution(net, x)
    left, right, controls = side_by_side(3)
    f, row, col = where(maps, key, place=controls)
    k, top = K.shape[0], conv.padding_widths(K.shape[0], net.convs[0][2])[0]
    patch, kernel = image[row:row + k, col:col + k], K[:, :, 0, f]
    products = patch * kernel
    z = float(np.sum(products) + b[f])
    a = float(ACTIVATIONS[net.activation].forward(np.array(z)))
    show_chart(charts.image_with_window(image, row, col, k, "the kernel's patch (padded image)", HEIGHT),
                      key=f"{key}_where", where=left)
    show_chart(charts.image_with_window(np.maximum(maps[:, :, f], 0), row, col, 1,
                                                f"feature map {f} after {net.activation}", HEIGHT), key=f"{key}_map", where=right)
    st.markdown(f"Filter **{f}**'s {k}×{k} kernel K sits on the patch whose top-left pixel is ({row - top}, "
                f"{col - top})" + (f" ({top} pixel(s) of zero padding keep the output 28×28)" if top else "") +
                ". Each patch pixel times the weight over it, all added up, plus the bias: **one** value of the "
                "feature map. Sliding the kernel gives the whole map.")
    patch_k = [rf"\underbrace{{{matrix(patch)}}}_{{\text{{patch}}}}", rf"\odot \underbrace{{{matrix(kernel)}}}_{{K}}"]
    sums = [rf"z = \sum_{{i,j}} x_{{ij}} K_{{ij}} + b = {latex(np.sum(products))} + ({latex(b[f])}) = {latex(z)}",
            rf"a = \mathrm{{{net.activation.replace('_', ' ')}}}(z) = {latex(a)}"]
    if not state.presenting():  # side by side; on a projector's enlarged page each part gets a line of its own
        patch_k, sums = [" ".join(patch_k)], [r",\qquad ".join(sums)]
    for line in [*patch_k, rf"= \underbrace{{{matrix(products)}}}_{{\text{{entry by entry}}}}", *sums]:
        st.latex(line)
    st.caption(f"conv_forward computes all {maps.shape[0] * maps.shape[1]:,} positions of all {maps.shape[2]} filters "
               f"at once (its entry [{row}, {col}, {f}] is {readable(maps[row, col, f])}): it turns every patch into a "
               "row (im2col) and does one matrix product.")
    with st.expander("The code: im2col and conv_forward", icon=":material/code:"):
        show_code(conv.im2col, conv.conv_forward)


def pooling_step(net: ConvNet, x, key: str):
    """The 2×2 max-pool window holding (row, col) of filter f's map: its four values and the one that is kept."""
    maps = first_convolution(net, x)[3]
    f, row, col = where(maps, key)
    activated = ACTIVATIONS[net.activation].forward(maps[:, :, f])
    r0, c0 = (min(row, activated.shape[0] - 2) // 2) * 2, (min(col, activated.shape[1] - 2) // 2) * 2
    window = activated[r0:r0 + 2, c0:c0 + 2]
    winner = np.unravel_index(int(np.argmax(window)), (2, 2))
    pooled, _ = conv.maxpool_forward(activated[None, :, :, None])
    left, mid, right = side_by_side(3)
    show_chart(charts.image_with_window(activated, r0, c0, 2, f"feature map {f}, a 2×2 window outlined",
                                               HEIGHT), key=f"{key}_pool_where", where=left)
    with mid:
        st.dataframe(grid_table(window, winner), width="stretch")
        st.markdown(f"max = **{readable(window[winner])}**, at row {r0 + winner[0]}, column {c0 + winner[1]}: only "
                    "this value goes on, so only it gets a gradient in the backward pass.")
    show_chart(charts.image_with_window(pooled[0, :, :, 0], r0 // 2, c0 // 2, 1,
                                                f"after pooling: {pooled.shape[1]}×{pooled.shape[2]}", HEIGHT),
                       key=f"{key}_pooled", where=right)
    with st.expander("The code: maxpool_forward and maxpool_backward", icon=":material/code:"):
        show_code(conv.maxpool_forward, conv.maxpool_backward)


def kernel_gradient_step(net: ConvNet, x, label: int, key: str):
    """Backward into the first convolution: filter f's dL/dZ map, its kernel gradient, and one entry three ways."""
    image, _, _, maps = first_convolution(net, x)
    f, _, _ = where(maps, key, position=False)
    exact = net.copy(np.float64)                                    # float64, so the checks below are exact
    w = walkthrough(exact, x, label)
    dZ = w.deltas["dA1"][0, :, :, f]  # dL/dZ of conv 1 (its output As[1], before relu), filter f: (Ho, Wo)
    dK = w.grads["K1"][:, :, 0, f]                                  # (k, k)
    i, j = np.unravel_index(int(np.argmax(np.abs(dK))), dK.shape)
    Ho, Wo = dZ.shape
    shifted = image[i:i + Ho, j:j + Wo]                             # the pixel K[i, j] met at every position
    by_hand = float(np.sum(shifted * dZ))                           # dK[i, j] = sum_{y,x} Xp[y+i, x+j] dZ[y, x]
    check = nudge(exact, "K1", (i, j, 0, f), np.asarray(x, np.float64)[None], np.array([label]), NUDGE)
    st.markdown(f"With the label **{label}**, backpropagation brings dL/dZ back to the first convolution. Pooling "
                f"passes a gradient only to the value each window kept, and {net.activation} only where it was "
                f"active, so most of filter {f}'s map is zero ({int(np.sum(dZ != 0))} of {dZ.size} positions are not). "
                "Each kernel weight met a pixel at every position, so its gradient adds up pixel × dL/dZ over all of "
                "them: dK = colsᵀ dZ, as a dense layer's dW = Xᵀ dZ.")
    left, mid, right = side_by_side(3)
    show_chart(charts.weight_image(dZ, f"dL/dZ of filter {f} at every position", HEIGHT, name="dL/dZ"),
                      key=f"{key}_dZ", where=left)
    show_chart(charts.digit(shifted, f"pixels under K[{i}, {j}]", height=HEIGHT),
                     key=f"{key}_shifted", where=mid)
    show_chart(tiles.mosaic(dK[None], 1, [f"filter {f}"], width=HEIGHT - 60, diverging=True,
                                     title=f"dK of filter {f}: largest at [{i}, {j}]"), key=f"{key}_dK", where=right)
    st.latex(rf"\frac{{\partial L}}{{\partial K_{{{i}{j}}}}} = \sum_{{y,x}} X_{{y+{i},\,x+{j}}}\, "
             rf"\frac{{\partial L}}{{\partial Z_{{yx}}}} = {latex(by_hand)}")
    three_ways(by_hand, dK[i, j], check["slope"], w.loss)
    with st.expander("The code: conv_backward", icon=":material/code:"):
        show_code(conv.conv_backward)


def three_ways(by_hand: float, backprop: float, nudged: float, loss: float):
    """One kernel gradient by the sum over positions, by backprop and by nudging, and how well they agree."""
    cols = st.columns(4)
    cols[0].metric("dK by the sum over positions", readable(by_hand))
    cols[1].metric("dK by backprop (colsᵀ dZ)", readable(backprop))
    cols[2].metric(f"dK by nudging K ±{readable(NUDGE, 1)}", readable(nudged))
    cols[3].metric("Relative error", readable(relative_error(nudged, backprop), 2),
                   help="Between the nudged slope and backprop's dK.")
    st.caption(f"The loss for this digit is {readable(loss)}. When the network is sure (a tiny loss), the two "
               "nudged losses differ only in their last digits, where float64's rounding of p ≈ 1 shows, and a nudge "
               "can cross a relu or pooling kink; agreement to 10⁻⁴ or better still says the backward code is right.")
