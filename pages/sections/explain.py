"""What every step of How it works shares: the digit it follows through the network, and the code it shows."""
import inspect
import itertools
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from core.nn.explain import candidate_digits
from core.nn.shapes import as_images
from ui import charts, state
from ui.numbers import readable
from ui.resources import ModelEntry
from ui.shell import show_chart, side_by_side
from ui.teaching import TAUGHT_PREFIX

SOURCES = {"drawing": "Your last drawing", "wrong": "A digit it gets wrong", "unsure": "A digit it is unsure of",
           "random": "A random test digit"}
serials = itertools.count()


@dataclass
class Digit:
    """The digit the steps explain, kept until the learner picks another one."""
    source: str                # a key of SOURCES
    x: np.ndarray              # (784,) pixels in [0, 1]
    label: int                 # the label the loss and the gradients are computed for
    index: int | None          # its index among the test images; None for a drawing
    model: str                 # the model it was picked for (a taught copy counts as its original)
    drawing: np.ndarray | None  # the learner's latest drawing when it was picked
    serial: int = field(default_factory=lambda: next(serials))   # a new label widget for every new digit


def show_code(*functions):
    """The exact source of functions the network runs: what is shown is what computes the numbers."""
    st.code("\n\n".join(inspect.getsource(fn) for fn in functions), language="python", wrap_lines=True)


def original(model: ModelEntry) -> str:
    return model.key.removeprefix(TAUGHT_PREFIX)


def pick(source: str, model: ModelEntry, other_than: int | None = None) -> Digit:
    """A new digit of this kind (not test image `other_than`), from the model's answers on the test set, or the
    learner's drawing."""
    if source == "drawing":
        x = st.session_state[state.LAST_DIGIT]
        return Digit(source, x, int(model.network.predict(x[None])[0]), None, original(model), x)
    data = model.data
    candidates = candidate_digits(model.results.predicted, model.results.confidence, data.test_labels, source)
    others = candidates[candidates != other_than]
    index = int(np.random.default_rng().choice(others if others.size else candidates))
    return Digit(source, data.X_test[index], int(data.test_labels[index]), index, original(model),
                 st.session_state.get(state.LAST_DIGIT))


def last_drawing(model: ModelEntry):
    """The learner's last drawing (784,), for a model that reads digits; else None."""
    return st.session_state.get(state.LAST_DIGIT) if model.data.name == "mnist" else None


def chosen_digit(model: ModelEntry) -> Digit:
    """The digit every step explains, kept until the learner picks another. A new drawing comes first (the Draw
    page sends the learner here to see it); without any, a digit the model gets wrong. Another model (not a taught
    copy of this one) gets a new digit of the same kind."""
    digit, drawing = st.session_state.get(state.EXPLAINED), last_drawing(model)
    if drawing is not None and (digit is None or not np.array_equal(digit.drawing, drawing)):
        digit = st.session_state[state.EXPLAINED] = pick("drawing", model)
    elif digit is None or digit.model != original(model):
        digit = st.session_state[state.EXPLAINED] = pick(digit.source if digit else "wrong", model)
    return digit


def repick(model: ModelEntry, source: str | None = None):
    """Widget callback: another digit, of the source chosen in the widget (or of the same kind)."""
    chosen = st.session_state[state.EXPLAINED]
    st.session_state[state.EXPLAINED] = pick(source or chosen.source, model, chosen.index)


def relabel(digit: Digit, key: str):
    digit.label = st.session_state[key]


def describe(digit: Digit, net) -> str:
    """One line: where the digit comes from, its label, and what the model makes of it."""
    p = net.predict_proba(digit.x[None])[0]
    guess = int(p.argmax())
    where = "Your drawing" if digit.index is None else f"Test digit #{digit.index:,}"
    return (f"{where}, labelled **{digit.label}**: the model says **{guess}** ({readable(100 * p[guess], 3)} %); "
            f"p({digit.label}) = {readable(100 * p[digit.label], 3)} %.")


def digit_step(model: ModelEntry, digit: Digit):
    """Step 1: choose the digit; see it, its label, and the model's answer."""
    sources = [s for s in SOURCES if s != "drawing" or last_drawing(model) is not None]
    picture, choice = side_by_side([1, 2])
    with choice:
        st.segmented_control("Start from", sources, default=digit.source, format_func=SOURCES.get, required=True,
                             key="hiw_source", on_change=lambda: repick(model, st.session_state["hiw_source"]))
        st.button("Another one like it", icon=":material/shuffle:", disabled=digit.source == "drawing",
                  on_click=repick, args=(model,))
        key = f"hiw_label_{digit.serial}"
        st.selectbox("Its true label (the loss and the gradients depend on it)", range(10), index=digit.label,
                     key=key, on_change=relabel, args=(digit, key))
        st.markdown(describe(digit, model.network))
    show_chart(charts.digit(as_images(digit.x), "the input X: (1, 784), shown as 28×28", height=320),
                         key="hiw_input", where=picture)
    show_chart(charts.probabilities(model.network.predict_proba(digit.x[None])[0], digit.label, height=230),
                        key="hiw_probs", where=choice)
