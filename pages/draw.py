"""Draw & predict: a digit of the learner's own, through the current network, step by step."""
import inspect

import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.cnn import ConvNet
from core.explain import integrated_gradients
from core.losses import softmax_steps
from core.preprocess import prepare_digit
from ui import charts, state, teaching
from ui.convolution import show_feature_maps
from ui.images import ImageError, decode_image, pad_to_square, png_data_url
from ui.resources import dataset
from ui.shell import require_app_shell

require_app_shell()

CANVAS_KEY = "canvas"
TOP_NEURONS = 8
SOURCES = {"draw": "Draw", "test": "A random test image", "upload": "Upload a picture"}
TEMPERATURES = (0.25, 0.5, 1, 2, 3, 5, 10, 20, 50)
SALIENCY_STEPS = 32


def percent(p: float) -> str:
    """A probability with decimals enough that 0.99998 does not read as 100.0 %."""
    if p > 0.99995:
        return "more than 99.99%"
    return f"{p:.{int(np.clip(np.ceil(-np.log10(1 - p)) - 1, 1, 2))}%}"


model = state.current_model()
net = model.network
st.title("Draw a digit")
source = st.segmented_control("Digit from", list(SOURCES), format_func=SOURCES.get,
                              key=state.kept("draw_source", "draw")) or "draw"

image, note = None, ""
input_col, result_col = st.columns([1, 1])
with input_col:
    if source == "draw":
        drawing = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000", height=280,
                            width=280, drawing_mode="freedraw", return_image_data=True, key=CANVAS_KEY)
        st.caption("White ink on black, like MNIST. Draw large, in the middle; the canvas toolbar has undo "
                   "and clear (the bin).")
        image = drawing.image_data
    elif source == "test":
        data = dataset()
        if st.button("Pick another test image", icon=":material/shuffle:") or state.TEST_IMAGE not in st.session_state:
            st.session_state[state.TEST_IMAGE] = int(np.random.default_rng().integers(len(data.test_labels)))
        index = st.session_state[state.TEST_IMAGE]
        image, note = data.test_images[index], f"Test image #{index}, labelled **{data.test_labels[index]}**."
        st.image(png_data_url(image / 255, 10), caption=f"Test image #{index}")   # 280 px, as the canvas
    else:
        upload = st.file_uploader("A PNG or JPEG of one digit", type=["png", "jpg", "jpeg"], key="draw_upload")
        if upload is not None:
            try:
                image = decode_image(upload.getvalue())
            except ImageError as err:
                st.error(str(err), icon=":material/error:")

prepared = prepare_digit(image) if image is not None else None
with result_col:
    if prepared is None or not prepared.ok:
        st.info(prepared.message if prepared else "Nothing drawn yet: draw a digit, pick a test image or upload a picture.",
                icon=":material/draw:")
    else:
        x = prepared.x[None, :]                                   # (1, 784)
        new_digit = not np.array_equal(st.session_state.get(state.LAST_DIGIT), prepared.x)
        st.session_state[state.LAST_DIGIT] = prepared.x           # How it works can explain this drawing
        fwd = net.forward(x)
        p, z = fwd.P[0], fwd.logits[0].astype(np.float64)       # (10,) probabilities and the logits they came from
        guess = int(p.argmax())
        if new_digit:                                             # a new digit: "It is really a…" starts at the guess
            st.session_state["teach_label"] = guess
        st.metric("Prediction", str(guess), f"{percent(float(p[guess]))} confident", delta_color="off",
                  delta_arrow="off")
        if note:
            st.markdown(note)
        st.plotly_chart(charts.probabilities(p, guess), key="draw_probs")

if prepared is not None and prepared.ok:
    st.subheader("Why so sure? The logits and softmax")
    runner_up = int(np.argsort(z)[-2])
    gap = z[guess] - z[runner_up]
    T = st.select_slider("Temperature T (the network uses 1)", TEMPERATURES, key=state.kept("draw_temperature", 1))
    p_T = softmax_steps(z, T)["p"]                                # softmax(z / T), (10,)
    logits_col, softmax_col = st.columns(2)
    logits_col.plotly_chart(charts.bars(z, range(10), "Logits z: the last layer's ten scores", height=280,
                                        hover="digit %{x}: z = %{y:.2f}"), key="draw_logits")
    softmax_col.plotly_chart(charts.probabilities(p_T, guess, f"softmax(z / T) at T = {T}"), key="draw_softmax_T")
    st.latex(r"p_k = \frac{e^{z_k / T}}{\sum_j e^{z_j / T}}")
    if net.output != "softmax":
        st.caption(f"This network's output is {net.output}(z_k), one digit at a time, not a softmax: the chart on the "
                   "right shows what a softmax would make of the same logits.")
    st.markdown(f"The score of **{guess}** is **{gap:.1f}** above the next, **{runner_up}**. Softmax exponentiates "
                f"the scores, so {guess} comes out e^{gap:.1f} ≈ **{np.exp(gap):,.0f}** times as probable as "
                f"{runner_up}: a few points between logits make a probability near 100 %. Dividing the logits by T "
                "divides the gap too" + (": slide T up." if T == 1 else f": at T = {T}, e^({gap:.1f} / {T}) ≈ "
                f"{np.exp(gap / T):,.1f}, and {guess} gets {percent(p_T[guess])}. The ranking never changes; "
                "only how sure it sounds."))

    saliency_col, teach_col = st.columns(2)
    with saliency_col:
        st.subheader("Which strokes drove the answer")
        shares = integrated_gradients(net, prepared.x, guess, SALIENCY_STEPS)   # (784,), they add up to the rise of z
        z_black = float(net.forward(np.zeros_like(x)).logits[0, guess])
        st.plotly_chart(charts.weight_image(shares, f"Integrated gradients for {guess}", height=330,
                                            name="share of the score"), key="draw_saliency")
        st.caption(f"**Integrated gradients.** The drawing fades in from a black image in {SALIENCY_STEPS} steps; "
                   f"at each, ∂z_{guess}/∂x says how fast more ink at each pixel would raise the score of {guess}. "
                   "A pixel's share is its ink times its average slope: red pixels raised the score, blue ones "
                   f"lowered it, and a pixel without ink has no share. The shares add up to **{shares.sum():.2f}**, "
                   f"close to the rise of z_{guess} from {z_black:.2f} for a black image to {z[guess]:.2f} for "
                   "this drawing (exactly, as the steps grow finer).")
        with st.expander("The equation and the code", icon=":material/function:"):
            st.latex(r"\mathrm{IG}_i = x_i \cdot \frac{1}{S} \sum_{s=1}^{S} \frac{\partial z}{\partial x_i}"
                     r"\Big|_{\frac{s - 1/2}{S} x}")
            st.code(inspect.getsource(integrated_gradients))
    with teach_col:
        st.subheader("Teach it your digit")
        truth = st.selectbox("It is really a…", range(10), key=state.kept("teach_label", guess))
        steps = st.slider("Gradient steps", 1, 10, key=state.kept("teach_steps", 3))
        rate = st.number_input("Learning rate", 0.0001, 5.0, format="%g", key=state.kept("teach_lr", 0.02))
        st.button(f"Teach it that this is a {truth}", icon=":material/school:", type="primary",
                  on_click=teaching.teach, args=(model, prepared.x, truth, rate, steps))
        step = teaching.last_step()
        if step is not None and model.key.startswith(teaching.TAUGHT_PREFIX) and np.array_equal(step.x, prepared.x):
            p_before = step.before.forward(x).P[0]
            base = state.all_models().get(model.key.removeprefix(teaching.TAUGHT_PREFIX))
            st.markdown(f"Before: **{int(p_before.argmax())}** ({p_before.max():.0%}). After {step.steps} step(s) "
                        f"towards {step.label}: **{guess}** ({p[guess]:.0%}). Only this session's copy, "
                        f"**{model.label}**, learned it.")
            if base is not None:
                st.caption(f"Its accuracy on the 10,000 test images: {base.test_accuracy:.2%} before any teaching, "
                           f"{model.test_accuracy:.2%} now. Pushing hard on one image moves weights that other "
                           "digits rely on; real training takes small steps over many images for that reason.")
            st.button("Undo the teaching", icon=":material/undo:", on_click=teaching.undo, args=(model,))
        st.page_link("pages/how_it_works.py", label="See a step in detail on How it works", icon=":material/function:")

    st.subheader("What the network reads")
    stage_cols = st.columns(len(prepared.stages))
    for col, (name, stage) in zip(stage_cols, prepared.stages.items()):
        square = pad_to_square(stage)
        col.image(png_data_url(square, max(1, 140 // len(square))), caption=name)
    st.caption("Like the MNIST images: light ink on black, cropped to the ink, the longer side scaled to 20 pixels, "
               "then placed in 28×28 so that its centre of mass is in the middle.")
    if isinstance(net, ConvNet):
        st.subheader("What the filters see in this drawing")
        show_feature_maps(net, prepared.x, "draw_maps")
    elif len(net.weights) > 1:
        A1 = fwd.As[1][0]
        st.subheader("Which hidden neurons fire for this drawing")
        st.plotly_chart(charts.bars(A1, range(A1.size), f"First hidden layer: {A1.size} activations", height=240,
                                    hover="neuron %{x}: %{y:.3f}"), key="draw_hidden")
        top = np.argsort(-A1, kind="stable")[:TOP_NEURONS]
        names = [f"neuron {k}: activation {A1[k]:.2f}" for k in top]
        st.plotly_chart(charts.mosaic(net.weights[0][:, top].T.reshape(-1, 28, 28), TOP_NEURONS, names,
                                      diverging=True, title=f"The {TOP_NEURONS} most active neurons' weights"),
                        key="draw_top_neurons")
