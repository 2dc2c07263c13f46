"""The lab's "Stress it": one digit spoilt with sliders as the prediction follows, then the test set's accuracy
against each perturbation's strength for the current model, a shipped dense and a shipped convolutional model."""
import streamlit as st

from core.evaluate import SHIFT_IMAGES
from core.nn.cnn import ConvNet
from core.perturb import CURVES, accuracy_under, spoil
from ui import charts, state
from ui.lab_robustness_charts import robustness_curves
from ui.numbers import percent
from ui.resources import shipped_cnn, shipped_models
from ui.shell import show_chart, side_by_side

SLIDERS = {  # widget key -> (label, min, max, step, start)
    "robust_noise": ("Noise σ", 0.0, 1.0, 0.05, 0.0),
    "robust_degrees": ("Rotation (degrees, anticlockwise)", -90, 90, 5, 0),
    "robust_thickness": ("Stroke (pixels: − thinner, + thicker)", -2, 3, 1, 0),
    "robust_dx": ("Shift right (pixels)", -8, 8, 1, 0),
    "robust_dy": ("Shift down (pixels)", -8, 8, 1, 0),
    "robust_square": ("Black square (side in pixels)", 0, 20, 1, 0),
    "robust_row": ("Square's top row", 0, 27, 1, 9),
    "robust_col": ("Square's left column", 0, 27, 1, 9),
}


def show(model):
    st.markdown("Spoil a digit on purpose and watch the prediction: how much noise, turning, thicker or thinner "
                "strokes, moving or covering can the model take before it changes its mind?")
    drawing = st.session_state.get(state.LAST_DIGIT) if model.data.name == "mnist" else None  # (784,) in [0, 1]
    image = drawing.reshape(28, 28) if drawing is not None else model.data.test_images[0] / 255
    source = "Your latest drawing" if drawing is not None else "The first test image"
    columns = side_by_side(4) + side_by_side(4)
    values = [column.slider(label, low, high, step=step, key=state.kept(key, start))
              for column, (key, (label, low, high, step, start)) in zip(columns, SLIDERS.items())]
    state.remember(*SLIDERS)
    spoilt = spoil(image, *values)
    P = model.network.predict_proba(spoilt.reshape(1, 784))[0]  # (10,)
    guess = int(P.argmax())
    picture, prediction = side_by_side(2)
    show_chart(charts.digit(spoilt, source, height=300, zmax=1), key="robust_digit", where=picture)
    if drawing is None:
        picture.caption("Draw a digit on the Draw page to stress your own.")
    prediction.metric("Prediction", model.data.info.classes[guess], f"{percent(float(P[guess]))} confident",
                      delta_color="off", delta_arrow="off")
    show_chart(charts.probabilities(P, guess, height=240), key="robust_probabilities", where=prediction)
    show_curves(model)


def show_curves(model):
    st.subheader("On the test set")
    name = st.segmented_control("Perturbation", list(CURVES), key=state.kept("robust_curve", "noise")) or "noise"
    state.remember("robust_curve")
    axis_title, strengths, _ = CURVES[name]
    models = reference_models(model)
    curves = {m.label: accuracies(m, name) for m in models}
    show_chart(robustness_curves(strengths, curves, axis_title), key="robust_curves")
    worst = ", ".join(f"{m.name} {percent(c[-1])}" for m, c in zip(models, curves.values()))
    st.caption(f"At the strongest {name} ({strengths[-1]}): {worst}. Each point is the accuracy on the first "
               f"{SHIFT_IMAGES:,} test images (for speed), so the unspoilt point is not quite the test accuracy; the "
               "noise is the same for every model (seed 0). Computed once per model for everyone.")


def reference_models(model) -> list:
    """The current model, the most accurate shipped dense model and the shipped CNN of its dataset, each once."""
    dataset = model.data.name
    dense = max((m for m in shipped_models()[0].values() if m.data.name == dataset and not isinstance(m.network, ConvNet)),
                key=lambda m: m.test_accuracy, default=None)
    chosen = [model, dense, shipped_cnn(dataset)]
    return [m for i, m in enumerate(chosen) if m is not None and m.key not in [c.key for c in chosen[:i] if c]]


def accuracies(model, name: str) -> list:
    """A model's curve: the shift one is Evaluate's (shipped beside the model), the others computed once."""
    if name == "shift":
        return model.shift_accuracies
    with st.spinner(f"Spoiling {SHIFT_IMAGES:,} test digits for {model.name}…"):
        return curve(model.key, model.network.digest(), name, model.network, model.data)


@st.cache_resource(max_entries=64, show_spinner=False)
def curve(key: str, digest: str, name: str, _network, _data) -> list:
    """The same for everyone who looks at this model (its key and weights)."""
    return accuracy_under(_network, _data.test_images[:SHIFT_IMAGES], _data.test_labels[:SHIFT_IMAGES], name)
