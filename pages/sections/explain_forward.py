"""How it works, forward: each layer's Z and A, then softmax and the loss, as equations, code and numbers."""
import numpy as np
import pandas as pd
import streamlit as st

from core.nn import layers, losses
from core.nn.activations import ACTIVATIONS
from core.nn.explain import walkthrough
from core.nn.losses import OUTPUTS, softmax_steps
from pages.sections.explain import Digit, show_code
from ui import charts, state
from ui.numbers import latex, readable
from ui.shell import show_chart, side_by_side

HOVER = "neuron %{x}: %{y:.4~g}"


def layer_step(net, digit: Digit):
    """One layer at a time: Z = A W + b and its activation, the equation, the code, and the values."""
    w = walkthrough(net, digit.x, digit.label)
    L = len(net.weights)
    key = state.kept("hiw_layer", 1)
    if st.session_state[key] not in range(1, L + 1):
        st.session_state[key] = 1
    l = st.segmented_control("Layer", range(1, L + 1), required=True, key=key, format_func=lambda l: (
        f"Layer {l}: {net.weights[l - 1].shape[0]} → {net.weights[l - 1].shape[1]}" + (" (output)" if l == L else "")))
    n_in, n_out = net.weights[l - 1].shape
    hidden = l < L
    left, right = side_by_side(2)
    with left:
        activation = net.activation.replace("_", " ")
        st.latex(rf"Z^{{[{l}]}} = A^{{[{l - 1}]}} W^{{[{l}]}} + b^{{[{l}]}}" +
                 (rf"\qquad A^{{[{l}]}} = \mathrm{{{activation}}}(Z^{{[{l}]}})" if hidden else ""))
        st.caption(f"Shapes: (1, {n_in}) · ({n_in}, {n_out}) + ({n_out},) → (1, {n_out}). "
                   + ("A⁽⁰⁾ is the image X." if l == 1 else f"A⁽{l - 1}⁾ is the previous layer's output."))
        show_code(layers.dense_forward, *([ACTIVATIONS[net.activation].forward] if hidden else []))
    with right:
        height = 230 if hidden else 300
        show_chart(charts.bars(w.fwd.Zs[l - 1][0], range(n_out), f"Z{l}: {n_out} values", height=height,
                                    hover=HOVER), key=f"hiw_Z{l}")
        if hidden:
            show_chart(charts.bars(w.fwd.As[l][0], range(n_out), f"A{l} = {net.activation}(Z{l})",
                                        height=height, hover=HOVER), key=f"hiw_A{l}")
        else:
            st.caption("The output layer's Z are the scores (logits); the next step turns them into probabilities.")


def output_step(net, digit: Digit):
    """From the last layer's scores to probabilities and the loss for the digit's label."""
    w = walkthrough(net, digit.x, digit.label)
    z, p, label = w.fwd.Zs[-1][0], w.fwd.P[0], digit.label
    left, right = side_by_side([3, 2])
    if net.output == "softmax":
        with left:
            temperature = st.slider("Temperature T (1 is what the network uses; higher flattens, lower sharpens)",
                                    0.1, 5.0, step=0.1, key=state.kept("hiw_temperature", 1.0))
            steps = softmax_steps(z, temperature)
            st.latex(r"p_k = \frac{e^{z_k/T - \max_j z_j/T}}{\sum_i e^{z_i/T - \max_j z_j/T}}")
            table = pd.DataFrame({"digit": range(10), "z": z, "z / T": steps["scaled"], "z/T − max": steps["shifted"],
                                  "exp(·)": steps["exp"], "÷ sum = p": steps["p"]})
            st.dataframe(table.style.format(lambda v: readable(v, 3), subset=table.columns[1:]), hide_index=True,
                         width="stretch")
            st.caption(f"The exponentials add up to {readable(steps['sum'])}. Subtracting the maximum first changes "
                       "nothing in p but keeps exp() from overflowing.")
            st.latex(rf"L = -\log p_{{{label}}} = -\log {latex(p[label])} = {latex(w.loss)}")
        shown = steps["p"]
    else:
        left.latex(r"a_k = \sigma(z_k) = \frac{1}{1 + e^{-z_k}}")
        left.caption("Sigmoid outputs: each digit is scored on its own, so they need not add up to 1.")
        left.latex(rf"L = \tfrac12 \sum_k (a_k - y_k)^2 = {latex(w.loss)}")
        shown = p
    with right:
        show_chart(charts.probabilities(shown, int(np.argmax(shown)), height=260), key="hiw_softmax")
        show_code(*([losses.softmax] if net.output == "softmax" else []), OUTPUTS[net.output].loss)
