"""Draw & predict: a digit of the learner's own (or, for a model of clothes, a photo), through the current network."""
import numpy as np
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.nn.cnn import ConvNet
from core.nn.shapes import as_images
from core.preprocess import PREPARE
from pages.sections.draw_prediction import show_logits_and_softmax, show_saliency
from pages.sections.living_diagram import show_living_diagram
from ui import charts, state, teaching, tiles
from ui.convolution import show_feature_maps
from ui.images import ImageError, decode_image, pad_to_square, png_data_url
from ui.numbers import percent
from ui.shell import require_app_shell, show_chart

require_app_shell()

CANVAS_KEY = "canvas"
TOP_NEURONS = 8
SOURCES = {"draw": "Draw", "test": "A random test image", "upload": "Upload a picture"}

model = state.current_model()
net = model.network
data, reads_digits = model.data, model.data.name == "mnist"
classes = data.info.classes
st.title("Draw a digit" if reads_digits else "Show it a piece of clothing")
if reads_digits:
    source = st.segmented_control("Digit from", list(SOURCES), format_func=SOURCES.get,
                                  key=state.kept("draw_source", "draw")) or "draw"
else:
    st.info(f"**{model.name}** reads {data.info.items} ({data.info.title}), not digits: drawing is for the digit "
            "models. Pick one of its test images, or upload a photo of one piece of clothing on a plain background.",
            icon=":material/checkroom:")
    source = st.segmented_control("Image from", ["test", "upload"], format_func=SOURCES.get,
                                  key=state.kept(f"draw_source_{data.name}", "test")) or "test"

image, note = None, ""
input_col, result_col = st.columns([1, 1])
with input_col:
    if source == "draw":
        st.space("medium")  # the canvas's toolbar shows 2.65rem above it on hover: it must not cover "Digit from"
        drawing = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000", height=280,
                            width=280, drawing_mode="freedraw", return_image_data=True, key=CANVAS_KEY)
        st.caption("White ink on black, like MNIST. Draw large, in the middle; the canvas toolbar has undo "
                   "and clear (the bin).")
        image = drawing.image_data
    elif source == "test":
        if st.button("Pick another test image", icon=":material/shuffle:") or state.TEST_IMAGE not in st.session_state:
            st.session_state[state.TEST_IMAGE] = int(np.random.default_rng().integers(len(data.test_labels)))
        index = st.session_state[state.TEST_IMAGE]
        image, note = data.test_images[index], f"Test image #{index}, labelled **{classes[data.test_labels[index]]}**."
        st.image(png_data_url(image / 255, 10), caption=f"Test image #{index}")   # 280 px, as the canvas
    else:
        upload = st.file_uploader("A PNG or JPEG of one digit" if reads_digits else "A PNG or JPEG of one piece of "
                                  "clothing", type=["png", "jpg", "jpeg"], key="draw_upload")
        if upload is not None:
            try:
                image = decode_image(upload.getvalue())
            except ImageError as err:
                st.error(str(err), icon=":material/error:")

prepared = PREPARE[data.name](image) if image is not None else None  # each dataset's own way of making its images
with result_col:
    if prepared is None or not prepared.ok:
        st.info(prepared.message if prepared else "Nothing drawn yet: draw a digit, pick a test image or upload a picture.",
                icon=":material/draw:")
    else:
        x = prepared.x[None, :]                                   # (1, 784)
        new_digit = not np.array_equal(st.session_state.get(state.LAST_DIGIT), prepared.x)
        if reads_digits and source != "test":                     # the learner's own digit, drawn or uploaded:
            st.session_state[state.LAST_DIGIT] = prepared.x       # How it works and Train can show it
        fwd = net.forward(x)
        p, z = fwd.P[0], fwd.logits[0].astype(np.float64)       # (10,) probabilities and the logits they came from
        guess = int(p.argmax())
        if new_digit:                                             # a new digit: "It is really a…" starts at the guess
            st.session_state["teach_label"] = guess
        threshold = state.reject_threshold()
        sure = p[guess] >= threshold                              # below the lab's threshold it declines to answer
        st.metric("Prediction", classes[guess] if sure else "not sure", ("" if sure else f"best guess {classes[guess]}, ")
                  + f"{percent(float(p[guess]))} confident", delta_color="off", delta_arrow="off")
        if not sure:
            st.page_link("pages/lab.py", label=f"Below the {threshold * 100:g}% threshold: see The lab, “When it doesn't "
                         "know”", icon=":material/help:")
        if note:
            st.markdown(note)
        show_chart(charts.probabilities(p, guess), key="draw_probs")

if prepared is not None and prepared.ok:
    st.subheader("Through the network")
    show_living_diagram(net, prepared.x, "draw_diagram", classes)
    show_logits_and_softmax(z, guess, net.output)
    saliency_col, teach_col = st.columns(2)
    with saliency_col:
        show_saliency(net, prepared.x, guess)
    with teach_col:
        st.subheader(f"Teach it your {data.info.item}")
        truth = st.selectbox("It is really a…", range(10), format_func=lambda k: classes[k],
                             key=state.kept("teach_label", guess))
        steps = st.slider("Gradient steps", 1, 10, key=state.kept("teach_steps", 3))
        rate = st.number_input("Learning rate", 0.0001, 5.0, format="%g", key=state.kept("teach_lr", 0.02))
        st.button(f"Teach it that this is a {classes[truth]}", icon=":material/school:", type="primary",
                  on_click=teaching.teach, args=(model, prepared.x, truth, rate, steps))
        step = teaching.last_step()
        if step is not None and model.key.startswith(teaching.TAUGHT_PREFIX) and np.array_equal(step.x, prepared.x):
            p_before = step.before.forward(x).P[0]
            base = state.all_models().get(model.key.removeprefix(teaching.TAUGHT_PREFIX))
            st.markdown(f"Before: **{int(p_before.argmax())}** ({percent(float(p_before.max()))}). After {step.steps} "
                        f"step(s) towards {step.label}: **{guess}** ({percent(float(p[guess]))}). Only this session's "
                        f"copy, **{model.label}**, learned it.")
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
               "then placed in 28×28 so that its centre of mass is in the middle." if reads_digits else
               "Like the Fashion-MNIST images: grey, the item light on black (negated if the background is light), "
               "trimmed to the item, its longer side scaled to 28 pixels, centred in the 28×28 field.")
    if isinstance(net, ConvNet):
        st.subheader("What the filters see in this drawing")
        show_feature_maps(net, prepared.x, "draw_maps")
    elif len(net.weights) > 1:
        A1 = fwd.As[1][0]
        st.subheader("Which hidden neurons fire for this drawing")
        show_chart(charts.bars(A1, range(A1.size), f"First hidden layer: {A1.size} activations", height=240,
                               hover="neuron %{x}: %{y:.3f}"), key="draw_hidden")
        top = np.argsort(-A1, kind="stable")[:TOP_NEURONS]
        names = [f"neuron {k}: activation {A1[k]:.2f}" for k in top]
        show_chart(tiles.mosaic(as_images(net.weights[0][:, top].T), TOP_NEURONS, names,
                                diverging=True, title=f"The {TOP_NEURONS} most active neurons' weights"),
                   key="draw_top_neurons")
