"""What the Draw page shows of one prediction: the logits beside softmax(z / T), and which strokes drove it."""
import inspect

import numpy as np
import streamlit as st

from core.nn.explain import integrated_gradients
from core.nn.losses import softmax_steps
from ui import charts, state
from ui.numbers import percent
from ui.shell import show_chart

TEMPERATURES = (0.25, 0.5, 1, 2, 3, 5, 10, 20, 50)
SALIENCY_STEPS = 32


def show_logits_and_softmax(z, guess: int, output: str):
    """The ten logits z (10,) and softmax(z / T) at a temperature the learner picks, with why softmax is so sure."""
    st.subheader("Why so sure? The logits and softmax")
    runner_up = int(np.argsort(z)[-2])
    gap = z[guess] - z[runner_up]
    T = st.select_slider("Temperature T (the network uses 1)", TEMPERATURES, key=state.kept("draw_temperature", 1))
    p_T = softmax_steps(z, T)["p"]                                # softmax(z / T), (10,)
    logits_col, softmax_col = st.columns(2)
    show_chart(charts.bars(z, range(10), "Logits z: the last layer's ten scores", height=280,
                           hover="digit %{x}: z = %{y:.2f}"), "draw_logits", logits_col)
    show_chart(charts.probabilities(p_T, guess, f"softmax(z / T) at T = {T}"), "draw_softmax_T", softmax_col)
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    if output != "softmax":
        st.caption(f"This network's output is {output}(z_k), one digit at a time, not a softmax: the chart on the "
                   "right shows what a softmax would make of the same logits.")
    st.markdown(f"The score of **{guess}** is **{gap:.1f}** above the next, **{runner_up}**. Softmax exponentiates "
                f"the scores, so {guess} comes out e^{gap:.1f} ≈ **{np.exp(gap):,.0f}** times as probable as "
                f"{runner_up}: a few points between logits make a probability near 100 %. Dividing the logits by T "
                "divides the gap too" + (": slide T up." if T == 1 else f": at T = {T}, e^({gap:.1f} / {T}) ≈ "
                f"{np.exp(gap / T):,.1f}, and {guess} gets {percent(p_T[guess])}. The ranking never changes; "
                "only how sure it sounds."))


def show_saliency(network, x, guess: int):
    """Integrated gradients of the guessed digit's score for one image x (784,), with what they mean."""
    st.subheader("Which strokes drove the answer")
    shares = integrated_gradients(network, x, guess, SALIENCY_STEPS)   # (784,), they add up to the rise of z
    z_black, z_drawn = network.forward(np.stack([np.zeros_like(x), x])).logits[:, guess]   # the score at both ends
    show_chart(charts.weight_image(shares, f"Integrated gradients for {guess}", height=330,
                                   name="share of the score"), key="draw_saliency")
    st.caption(f"**Integrated gradients.** The drawing fades in from a black image in {SALIENCY_STEPS} steps; "
               f"at each, ∂z_{guess}/∂x says how fast more ink at each pixel would raise the score of {guess}. "
               "A pixel's share is its ink times its average slope: red pixels raised the score, blue ones "
               f"lowered it, and a pixel without ink has no share. The shares add up to **{shares.sum():.2f}**, "
               f"close to the rise of z_{guess} from {z_black:.2f} for a black image to {z_drawn:.2f} for "
               "this drawing (exactly, as the steps grow finer).")
    with st.expander("The equation and the code", icon=":material/function:"):
        st.latex(r"\mathrm{IG}_i = x_i \cdot \frac{1}{S} \sum_{s=1}^{S} \frac{\partial z}{\partial x_i}"
                 r"\Big|_{\frac{s - 1/2}{S} x}")
        st.code(inspect.getsource(integrated_gradients))
