"""How it works: the forward and backward pass for one image, as equations, as the code that runs, as numbers."""
import inspect

import numpy as np
import pandas as pd
import streamlit as st

from core.nn import layers, losses
from core.nn.activations import ACTIVATIONS
from core.nn.explain import walkthrough
from core.nn.gradcheck import nudge, relative_error
from core.nn.losses import OUTPUTS, softmax_steps
from core.nn.cnn import ConvNet
from core.nn.network import Network
from ui import charts, state, teaching
from ui.conv_steps import convolution_steps
from ui.convolution import choose_image
from ui.resources import shipped_cnn
from ui.shell import require_app_shell, show_chart

require_app_shell()
TOP = 6  # neurons shown for the biggest corrections


def code(fn):
    """The exact source of a function the network runs: what is shown is what computes the numbers."""
    st.code(inspect.getsource(fn), language="python")


model = state.current_model()
net = model.network
st.title("How it works")
st.markdown(f"One image through **{model.label}** ({model.architecture}), with the real numbers." if
            isinstance(net, ConvNet) else
            f"One image through **{model.label}** ({model.architecture}), forward and backward, with the real "
            "numbers. The code is written **batch-first**, as NumPy likes it: one image is a row **X** of shape "
            "(1, 784), `Z = X @ W + b`. Tutorials often write the same maths column-first (`Z = W X + b`, X of "
            "shape 784 × m); the backward pass shows both.")

x, known = choose_image("hiw")
if isinstance(net, ConvNet):
    st.header("Convolution and pooling, step by step")
    convolution_steps(net, x, known if known is not None else int(net.predict(x[None])[0]), "hiw_conv")
    st.info("The layer-by-layer forward and backward walkthrough on this page is written for dense networks: pick "
            "one in the sidebar (the shipped **fast** model, say) to see it.", icon=":material/info:")
    st.stop()
source = "drawing" if known is None else "test"
guess = int(net.predict(x[None])[0])
label = st.selectbox("The true label (the loss and the gradients depend on it)", range(10),
                     index=known if known is not None else guess, key=f"hiw_label_{source}_{known}")
w = walkthrough(net, x, label)
L = len(net.weights)

st.header("1. Forward, step by step")
show_chart(charts.digit(x.reshape(28, 28), f"the input X: (1, 784), shown as 28×28 · label {label}",
                        height=300), key="hiw_input")
f = ACTIVATIONS[net.activation].forward
for l in range(1, L + 1):
    n_in, n_out = net.weights[l - 1].shape
    last = l == L
    st.subheader(f"Layer {l}: {n_in} → {n_out}" + (" (output)" if last else f" ({net.activation})"))
    left, right = st.columns([1, 1])
    with left:
        st.latex(rf"Z^{{[{l}]}} = A^{{[{l - 1}]}} W^{{[{l}]}} + b^{{[{l}]}} \qquad (1, {n_in}) \cdot ({n_in}, {n_out}) + ({n_out},) \to (1, {n_out})")
        code(layers.dense_forward)
        if not last:
            st.latex(rf"A^{{[{l}]}} = \mathrm{{{net.activation.replace('_', ' ')}}}(Z^{{[{l}]}})")
            code(f)
    with right:
        show_chart(charts.bars(w.fwd.Zs[l - 1][0], range(n_out), f"Z{l}: {n_out} values", height=220,
                               hover="neuron %{x}: %{y:.4f}"), key=f"hiw_Z{l}")
        if not last:
            show_chart(charts.bars(w.fwd.As[l][0], range(n_out), f"A{l} = {net.activation}(Z{l})", height=220,
                                   hover="neuron %{x}: %{y:.4f}"), key=f"hiw_A{l}")

z, p = w.fwd.Zs[-1][0], w.fwd.P[0]
if net.output == "softmax":
    st.subheader("Softmax: from 10 scores to 10 probabilities")
    temperature = st.slider("Temperature T (1 is what the network uses; higher flattens, lower sharpens)", 0.1, 5.0,
                            step=0.1, key=state.kept("hiw_temperature", 1.0))
    steps = softmax_steps(z, temperature)
    st.latex(r"p_k = \frac{e^{z_k/T - \max_j z_j/T}}{\sum_i e^{z_i/T - \max_j z_j/T}}")
    st.dataframe(pd.DataFrame({"digit": range(10), "z": z, "z / T": steps["scaled"], "z/T − max": steps["shifted"],
                               "exp(·)": steps["exp"], "÷ sum = p": steps["p"]}).round(5), hide_index=True, width="stretch")
    st.caption(f"The sum of the exponentials is {steps['sum']:.5f}. Subtracting the maximum first changes nothing "
               "in p but keeps exp() from overflowing.")
    code(losses.softmax)
    p_shown = steps["p"]
else:
    st.subheader("Sigmoid outputs: each digit scored on its own")
    st.latex(r"a_k = \sigma(z_k) = \frac{1}{1 + e^{-z_k}}")
    p_shown = p
show_chart(charts.probabilities(p_shown, int(np.argmax(p_shown))), key="hiw_probs")
out = OUTPUTS[net.output]
if net.output == "softmax":
    st.latex(rf"L = -\log p_{{{label}}} = -\log {p[label]:.5f} = {w.loss:.5f}")
else:
    st.latex(rf"L = \tfrac12 \sum_k (a_k - y_k)^2 = {w.loss:.5f}")
code(out.loss)

st.header("2. Backward, step by step")
st.markdown("Backpropagation applies the chain rule from the loss back to every weight. The same equations in "
            "the two conventions (m = N = 1 image here):")
seeds, ours = st.columns(2)
with seeds:
    st.markdown("**Column-first, as in the tutorials**")
    st.latex(rf"dZ^{{[{L}]}} = A^{{[{L}]}} - Y" if net.output == "softmax" else rf"dZ^{{[{L}]}} = (A^{{[{L}]}} - Y) \odot \sigma'(Z^{{[{L}]}})")
    st.latex(r"dW^{[l]} = \tfrac{1}{m}\, dZ^{[l]} A^{[l-1]\top}, \quad db^{[l]} = \tfrac{1}{m} \textstyle\sum dZ^{[l]}")
    st.latex(r"dZ^{[l-1]} = W^{[l]\top} dZ^{[l]} \odot g'(Z^{[l-1]})")
with ours:
    st.markdown("**Batch-first, as the code**")
    st.latex(rf"dZ_{L} = (P - Y) / N" if net.output == "softmax" else rf"dZ_{L} = (A_{L} - Y) \odot A_{L}(1 - A_{L}) / N")
    st.latex(r"dW_l = A_{l-1}^{\top}\, dZ_l, \quad db_l = \textstyle\sum_n dZ_l")
    st.latex(r"dZ_{l-1} = (dZ_l\, W_l^{\top}) \odot f'(Z_{l-1})")
code(out.delta)
code(layers.dense_backward)
code(Network.backward)

dZL = w.deltas[f"dZ{L}"][0]
show_chart(charts.bars(dZL, range(10), f"dZ{L} = ∂L/∂Z{L} for this image", height=240,
                       color=["#d62728" if v < 0 else "#1f77b4" for v in dZL]), key="hiw_dZout")
st.caption(f"Negative (red) means 'raise this score': the true digit {label} gets p − 1 = {dZL[label]:+.4f}; every "
           "other digit gets its probability, to be lowered.")
if L > 1:
    dZ1 = w.deltas["dZ1"][0]
    show_chart(charts.bars(dZ1, range(dZ1.size), "dZ1 = ∂L/∂Z1: how much each first-layer neuron is to blame",
                           height=240, hover="neuron %{x}: %{y:.5f}"), key="hiw_dZ1")
    top = np.argsort(-np.abs(dZ1), kind="stable")[:TOP]
    dW1 = w.grads["W1"]
    show_chart(charts.mosaic(dW1[:, top].T.reshape(-1, 28, 28), TOP,
                             [f"dW1 of neuron {k} (dZ1 = {dZ1[k]:+.4f})" for k in top], diverging=True,
                             title=f"dW1 for the {TOP} neurons with the biggest corrections"), key="hiw_dW1")
    active = int(np.sum(w.fwd.Zs[0][0] > 0)) if net.activation in ("relu", "leaky_relu") else None
    why = (f"Only the {active} neurons with Z1 > 0 receive a correction at all: relu'(z) is 0 for the others. "
           if active is not None else "")
    st.markdown(f"{why}Neuron **{top[0]}** gets the biggest one, {dZ1[top[0]]:+.4f}: it was active "
                f"(A1 = {w.fwd.As[1][0][top[0]]:.3f}) and its outgoing weights point strongly towards the digits the "
                f"network got wrong. Each dW1 image is the input itself scaled by that neuron's dZ1 "
                "(dW1[:, k] = x · dZ1[k]), so the correction is drawn in the shape of the digit.")
    st.dataframe(pd.DataFrame({"neuron": top, "dZ1": dZ1[top], "A1": w.fwd.As[1][0][top],
                               "db1": w.grads["b1"][top]}).round(5), hide_index=True)

st.header("3. Check the gradient by nudging a weight")
params = list(net.params())
pick_col, how_col = st.columns(2)
name = pick_col.selectbox("Parameter", params, key=state.kept("hiw_param", "W1"))
grad = w.grads[name]
largest = np.unravel_index(int(np.argmax(np.abs(grad))), grad.shape)
if how_col.toggle("Choose the entry myself", key=state.kept("hiw_choose", False)):
    bounds = st.columns(len(grad.shape))
    index = tuple(int(col.number_input(f"{'row' if i == 0 and grad.ndim == 2 else 'index'} (0 to {n - 1})", 0, n - 1,
                                       value=int(largest[i]), key=f"hiw_entry_{name}_{i}"))
                  for i, (col, n) in enumerate(zip(bounds, grad.shape)))
else:
    index = largest
eps = st.select_slider("ε", [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7], key=state.kept("hiw_eps", 1e-5),
                       format_func=lambda e: f"{e:.0e}")
exact = net.copy(np.float64)  # float64, so rounding does not hide a wrong gradient
check = nudge(exact, name, index, x[None].astype(np.float64), np.array([label]), eps)
backprop = walkthrough(exact, x, label).grads[name][index]
error = relative_error(check["slope"], backprop)
which = "with the largest gradient" if index == largest else "you chose"
st.markdown(f"The entry of **{name}** {which}, {name}{list(map(int, index))}, nudged by ±ε:")
cols = st.columns(5)
cols[0].metric("L(w + ε)", f"{check['loss_plus']:.8f}")
cols[1].metric("L(w − ε)", f"{check['loss_minus']:.8f}")
cols[2].metric("Slope (L₊ − L₋) / 2ε", f"{check['slope']:.6e}")
cols[3].metric("Backprop gradient", f"{backprop:.6e}")
cols[4].metric("Relative error", f"{error:.1e}")
st.caption("Around 1e-7 or less, backpropagation and the definition of the derivative agree. A large error would "
           "mean a bug in the backward code: a missing term, a wrong transpose, a forgotten 1/N. With a big ε the "
           "curve's bend shows; with a tiny one, float rounding does.")

st.header("4. Take one step")
lr = st.number_input("Learning rate", 0.0001, 10.0, format="%g", key=state.kept("hiw_lr", 0.01),
                     help="One image is a tiny batch with a big gradient: 0.01 already moves it a lot.")
step_col, undo_col = st.columns(2)
step_col.button(f"Take one gradient step towards {label}", icon=":material/footprint:", type="primary",
                on_click=teaching.teach, args=(model, x, label, lr))
taught = model.key.startswith(teaching.TAUGHT_PREFIX)
undo_col.button("Undo the last step", icon=":material/undo:", on_click=teaching.undo, args=(model,),
                disabled=not taught or not teaching.history().get(model.key))
step = teaching.last_step()
if step is not None and taught and np.array_equal(step.x, x):
    before, after = walkthrough(step.before, x, step.label), walkthrough(net, x, step.label)
    st.markdown(f"One step with learning rate {step.learning_rate:g} on this image, label {step.label}: "
                f"the loss went from **{before.loss:.6g}** to **{after.loss:.6g}**. The shipped models are untouched: "
                f"this copy, **{model.label}**, is yours alone.")
    show_chart(charts.before_after(before.fwd.P[0], after.fwd.P[0]), key="hiw_moved")
    dW1 = net.weights[0] - step.before.weights[0]
    moved = np.argsort(-np.abs(dW1).sum(axis=0), kind="stable")[:TOP]
    show_chart(charts.mosaic(dW1[:, moved].T.reshape(-1, 28, 28), TOP, [f"ΔW1 of neuron {k}" for k in moved],
                             diverging=True, title="The weights that changed most: ΔW1 = −lr · dW1"),
               key="hiw_delta")
else:
    st.caption("The step is applied to a copy of the current model that only this session sees; it becomes the "
               "current model, and Undo brings back the weights from before.")

st.header("5. Convolution and pooling, step by step")
cnn = shipped_cnn()
if cnn is None:
    st.info("No convolutional model ships with this copy of the app (weights/cnn-99.npz is missing).",
            icon=":material/info:")
else:
    st.markdown(f"A convolutional network (the shipped **{cnn.label}**) does not give every pixel its own weight: "
                "a small kernel is slid over the image, so the same few weights look for the same stroke everywhere.")
    convolution_steps(cnn.network, x, label, "hiw_conv")
