"""How it works, backward: the chain rule as equations and code, its numbers for the digit, a finite-difference
check of one gradient, and one gradient step."""
import numpy as np
import pandas as pd
import streamlit as st

from core.nn import layers
from core.nn.explain import walkthrough
from core.nn.gradcheck import nudge, relative_error
from core.nn.losses import OUTPUTS
from core.nn.network import Network
from core.nn.shapes import as_images
from pages.sections.explain import Digit, show_code
from ui import charts, state, teaching, tiles
from ui.numbers import latex, readable
from ui.shell import show_chart, side_by_side

TOP = 6  # neurons shown for the biggest corrections


def equations_step(net):
    """The backward equations in the tutorials' column-first convention and in the code's batch-first one."""
    L, softmax = len(net.weights), net.output == "softmax"
    st.markdown("The chain rule, from the loss back to every weight: the same equations in the two conventions "
                "(m = N = 1 image here).")
    tutorials, code = side_by_side(2)
    with tutorials:
        st.markdown("**Column-first, as in the tutorials**")
        st.latex(rf"dZ^{{[{L}]}} = A^{{[{L}]}} - Y" if softmax else
                 rf"dZ^{{[{L}]}} = (A^{{[{L}]}} - Y) \odot \sigma'(Z^{{[{L}]}})")
        st.latex(r"dW^{[l]} = \tfrac{1}{m}\, dZ^{[l]} A^{[l-1]\top}, \quad "
                 r"db^{[l]} = \tfrac{1}{m} \textstyle\sum dZ^{[l]}")
        st.latex(r"dZ^{[l-1]} = W^{[l]\top} dZ^{[l]} \odot g'(Z^{[l-1]})")
    with code:
        st.markdown("**Batch-first, as the code**")
        st.latex(rf"dZ_{L} = (P - Y) / N" if softmax else rf"dZ_{L} = (A_{L} - Y) \odot A_{L}(1 - A_{L}) / N")
        st.latex(r"dW_l = A_{l-1}^{\top}\, dZ_l, \quad db_l = \textstyle\sum_n dZ_l")
        st.latex(r"dZ_{l-1} = (dZ_l\, W_l^{\top}) \odot f'(Z_{l-1})")
    show_code(OUTPUTS[net.output].delta, layers.dense_backward)
    with st.expander("Network.backward: the loop that applies them from the last layer to the first",
                     icon=":material/code:"):
        show_code(Network.backward)


def numbers_step(net, digit: Digit):
    """dL/dZ at the output and at the first layer, and the first layer's weight gradients for this digit."""
    w, L, label = walkthrough(net, digit.x, digit.label), len(net.weights), digit.label
    dZL = w.deltas[f"dZ{L}"][0]
    output, first = side_by_side(2)
    red_if_negative = ["#d62728" if v < 0 else "#1f77b4" for v in dZL]
    show_chart(charts.bars(dZL, range(10), f"dZ{L} = ∂L/∂Z{L} for this digit", height=240,
                                    hover="digit %{x}: %{y:.4~g}", color=red_if_negative), key="hiw_dZout", where=output)
    output.caption(f"Negative (red) means 'raise this score': the label {label} gets p − 1 = {readable(dZL[label])}; "
                   "every other digit gets its probability, to be lowered.")
    if L == 1:
        return
    dZ1 = w.deltas["dZ1"][0]
    show_chart(charts.bars(dZ1, range(dZ1.size), "dZ1 = ∂L/∂Z1: each first-layer neuron's blame",
                                   height=240, hover="neuron %{x}: %{y:.4~g}"), key="hiw_dZ1", where=first)
    top = np.argsort(-np.abs(dZ1), kind="stable")[:TOP]
    tile_col, words = side_by_side(2)
    show_chart(tiles.mosaic(as_images(w.grads["W1"][:, top].T), TOP // 2,
                                     [f"dW1 of neuron {k} (dZ1 = {readable(dZ1[k])})" for k in top], width=420,
                                     diverging=True, title=f"dW1 of the {TOP} neurons with the biggest corrections"),
                       key="hiw_dW1", where=tile_col)
    active = int(np.sum(w.fwd.Zs[0][0] > 0)) if net.activation in ("relu", "leaky_relu") else None
    why = (f"Only the {active} neurons with Z1 > 0 receive a correction at all: relu'(z) is 0 for the others. "
           if active is not None else "")
    words.markdown(f"{why}Neuron **{top[0]}** gets the biggest one, {readable(dZ1[top[0]])}. Each dW1 image is the "
                   "input scaled by that neuron's dZ1 (dW1[:, k] = x · dZ1[k]): the correction has the digit's shape.")
    table = pd.DataFrame({"neuron": top, "dZ1": dZ1[top], "A1": w.fwd.As[1][0][top], "db1": w.grads["b1"][top]})
    words.dataframe(table.style.format(readable, subset=["dZ1", "A1", "db1"]), hide_index=True, width="stretch")


def check_step(net, digit: Digit):
    """Nudge one weight by ±ε: the slope of the loss must equal the gradient backpropagation computed."""
    pick_col, how_col, eps_col = st.columns(3)
    name = pick_col.selectbox("Parameter", list(net.params()), key=state.kept("hiw_param", "W1"))
    grad = walkthrough(net, digit.x, digit.label).grads[name]
    largest = np.unravel_index(int(np.argmax(np.abs(grad))), grad.shape)
    index = largest
    if how_col.toggle("Choose the entry myself", key=state.kept("hiw_choose", False)):
        index = tuple(int(col.number_input(f"{'row' if i == 0 and grad.ndim == 2 else 'index'} (0 to {n - 1})", 0,
                                           n - 1, value=int(largest[i]), key=f"hiw_entry_{name}_{i}"))
                      for i, (col, n) in enumerate(zip(st.columns(len(grad.shape)), grad.shape)))
    eps = eps_col.select_slider("ε", [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7], key=state.kept("hiw_eps", 1e-5),
                                format_func=lambda e: readable(e, 1))
    exact = net.copy(np.float64)  # float64, so rounding does not hide a wrong gradient
    check = nudge(exact, name, index, digit.x[None].astype(np.float64), np.array([digit.label]), eps)
    backprop = walkthrough(exact, digit.x, digit.label).grads[name][index]
    which = "with the largest gradient" if index == largest else "you chose"
    st.markdown(f"The entry of **{name}** {which}, {name}{list(map(int, index))}, nudged by ±ε:")
    st.latex(rf"\frac{{L(w + \varepsilon) - L(w - \varepsilon)}}{{2\varepsilon}} = "
             rf"\frac{{{latex(check['loss_plus'], 10)} - {latex(check['loss_minus'], 10)}}}{{{latex(2 * eps, 1)}}} = "
             rf"{latex(check['slope'])}")
    cols = st.columns(3)
    cols[0].metric("Slope (L₊ − L₋) / 2ε", readable(check["slope"]))
    cols[1].metric("Backprop gradient", readable(backprop))
    cols[2].metric("Relative error", readable(relative_error(check["slope"], backprop), 2))
    st.caption("Around 10⁻⁷ or less, backpropagation and the definition of the derivative agree. A large error would "
               "mean a bug in the backward code: a missing term, a wrong transpose, a forgotten 1/N. With a big ε the "
               "curve's bend shows; with a tiny one, float rounding does.")
    # each loss is off by about 1e-16 (float64's step near 1: p = 1 - tiny when the model is sure), so their
    # difference over 2ε can be off by this much whatever the code does
    rounding = np.finfo(np.float64).eps * max(1.0, abs(check["loss_plus"])) / (2 * eps)
    if backprop == 0:
        st.info("This gradient is exactly 0: the weight's input is 0 for this digit (a pixel without ink, or a "
                "neuron that is off), so nudging it cannot move the loss, and the slope is 0 too. Pick a weight "
                "on the strokes to see a slope.", icon=":material/info:")
    elif rounding > 1e-7 * abs(backprop):
        st.info(f"Here rounding alone can move the slope by about {readable(rounding / abs(backprop), 1)} of the "
                f"gradient: the loss is {readable(check['loss_plus'])} and the gradient only "
                f"{readable(abs(backprop))}, so the two nudged losses differ in their last digits. That is float "
                "precision, not a bug: take a bigger ε, or a digit the model gets wrong (step 1), and they agree.",
                icon=":material/info:")


def gradient_step(model, digit: Digit):
    """One gradient step on this digit alone, applied to this session's copy of the model, with undo."""
    net, x, label = model.network, digit.x, digit.label
    rate_col, step_col, undo_col = side_by_side(3, vertical_alignment="bottom")
    lr = rate_col.number_input("Learning rate", 0.0001, 10.0, format="%g", key=state.kept("hiw_lr", 0.01),
                               help="One image is a tiny batch with a big gradient: 0.01 already moves it a lot.")
    step_col.button(f"Take one gradient step towards {label}", icon=":material/footprint:", type="primary",
                    on_click=teaching.teach, args=(model, x, label, lr))
    taught = model.key.startswith(teaching.TAUGHT_PREFIX)
    undo_col.button("Undo the last step", icon=":material/undo:", on_click=teaching.undo, args=(model,),
                    disabled=not taught or not teaching.history().get(model.key))
    step = teaching.last_step()
    if step is None or not taught or not np.array_equal(step.x, x):
        st.caption("The step is applied to a copy of the current model that only this session sees; it becomes the "
                   "current model, and Undo brings back the weights from before.")
        return
    before, after = walkthrough(step.before, x, step.label), walkthrough(net, x, step.label)
    p_before, p_after = (readable(100 * w.fwd.P[0][step.label], 3) for w in (before, after))
    st.markdown(f"One step with learning rate {step.learning_rate:g} on this digit, label {step.label}: the "
                f"loss went from **{readable(before.loss)}** to **{readable(after.loss)}**, and p({step.label}) from "
                f"{p_before} % to {p_after} %. "
                f"The shipped models are untouched: this copy, **{model.label}**, is yours alone.")
    bars, tile_col = side_by_side(2)
    show_chart(charts.before_after(before.fwd.P[0], after.fwd.P[0]), key="hiw_moved", where=bars)
    dW1 = net.weights[0] - step.before.weights[0]
    moved = np.argsort(-np.abs(dW1).sum(axis=0), kind="stable")[:TOP]
    show_chart(tiles.mosaic(as_images(dW1[:, moved].T), TOP // 2,
                                     [f"ΔW1 of neuron {k}" for k in moved], width=420, diverging=True,
                                     title="The weights that changed most: ΔW1 = −lr · dW1"), key="hiw_delta", where=tile_col)
