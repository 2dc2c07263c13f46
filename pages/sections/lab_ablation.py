"""The lab's "Silence neurons": silence hidden neurons or CNN filters, scale or set one weight, see what changes.

Every edit lands on a copy (core.nn.ablation.edited); the session keeps the list of its edits per model, so Undo
steps back and Reset clears them. The shipped models, shared by every session, are only read.
"""

import numpy as np
import streamlit as st

from core.nn.ablation import (Edits, edited, importance, most_important, per_class_accuracy, random_units,
                              silenceable_layers, weight_matrix)
from core.nn.cnn import ConvNet
from ui import charts, state
from ui.lab_ablation_charts import per_class_before_after
from ui.resources import ModelEntry, freeze
from ui.shell import show_chart, side_by_side

CNN_IMAGES = 1000  # a CNN reads the 10,000 test images in ~5 s: its live figures use the first 1,000
PICKED = 10        # how many units the one-click buttons silence


def images(network) -> int:
    return CNN_IMAGES if isinstance(network, ConvNet) else 10000


@st.cache_resource(max_entries=16, show_spinner="Silencing each unit alone to rank them…")
def ranking(weights: str, position: int, n: int, _net, _data) -> np.ndarray:
    """Each unit's importance (core.nn.ablation.importance) on the first n test images; the same for everyone."""
    return importance(_net, _data.X_test[:n], _data.test_labels[:n], position)


@st.cache_resource(max_entries=64, show_spinner="Reading the test images…")
def measured(weights: str, edits: str, n: int, _net, _edits: Edits, _data) -> tuple:
    """(the edited network, its accuracy and per-class accuracy on the first n test images)."""
    net = edited(_net, _edits)
    freeze(*net.params().values())          # shared by every session with these edits: read only
    predicted, labels = net.predict(_data.X_test[:n]), _data.test_labels[:n]
    return net, float(np.mean(predicted == labels)), per_class_accuracy(predicted, labels, len(_data.info.classes))


def history(model: ModelEntry) -> list:
    """This session's edits of this model's weights, oldest first: the last are in force (an empty Edits() first).
    Kept per weights, not per name: a model taught further or uploaded again under the same name starts afresh."""
    return st.session_state.setdefault(state.ABLATION, {}).setdefault((model.key, model.network.digest()), [Edits()])


def record(model: ModelEntry, edits: Edits):
    """A change made by the app (a button): a new unit picker shows it (see ui.state.set_current for why)."""
    if edits != history(model)[-1]:
        history(model).append(edits)
    st.session_state[state.ABLATION_VERSION] = st.session_state.get(state.ABLATION_VERSION, 0) + 1


def picker_key(position: int) -> str:
    return f"ablation_units_{st.session_state.get(state.ABLATION_VERSION, 0)}_{position}"


def picked(model: ModelEntry, position: int, key: str):
    """The learner changed the unit picker; a late echo of an older picker is ignored."""
    if key == picker_key(position):
        edits = history(model)[-1].silence(position, st.session_state[key])
        if edits != history(model)[-1]:
            history(model).append(edits)


def step_back(model: ModelEntry, reset: bool):
    steps = history(model)
    del steps[1 if reset else -1:]
    record(model, steps[-1])


def one_click(model: ModelEntry, position: int, important: bool):
    net, n = model.network, images(model.network)
    size = silenceable_layers(net)[position].size
    units = (most_important(ranking(net.digest(), position, n, net, model.data), PICKED) if important
             else random_units(size, PICKED, seed=len(history(model))))
    record(model, history(model)[-1].silence(position, units))


def show(model: ModelEntry):
    net, n = model.network, images(model.network)
    edits = history(model)[-1]
    layers = silenceable_layers(net)
    st.markdown("A **silenced** unit sends 0 to the next layer (a filter: its whole feature map), as if it had "
                "died. **Most important** here means: silencing that unit *alone* costs the most test accuracy "
                "(ties, most units alone cost no image, go to the larger rise of the loss).")
    if isinstance(net, ConvNet):
        st.caption(f":material/speed: A convolutional network reads all 10,000 test images in about 5 s, so "
                   f"its figures here use the first {CNN_IMAGES:,} test images.")
    if layers:
        choose_units(model, layers, edits)
    else:
        st.info("This network has no hidden layer, so no unit to silence: its inputs go straight to the outputs. "
                "Its weights can still be edited below.", icon=":material/info:")
    edit_weight(model, edits, measured(net.digest(), repr(edits), n, net, edits, model.data)[0])
    buttons = st.columns(2)
    buttons[0].button("Undo", icon=":material/undo:", disabled=len(history(model)) < 2, on_click=step_back,
                      args=(model, False), key="ablation_undo")
    buttons[1].button("Reset", icon=":material/restart_alt:", disabled=len(history(model)) < 2, on_click=step_back,
                      args=(model, True), key="ablation_reset")
    show_results(model, edits, layers, n)


def choose_units(model: ModelEntry, layers: list, edits: Edits):
    """The layer, its silenced units (a multiselect), and the one-click experiments that fill it."""
    position = st.selectbox("Layer", range(len(layers)), format_func=lambda p: layers[p].name,
                            key=f"ablation_layer:{model.key}")
    key = picker_key(position)
    st.multiselect(f"Silenced units of {layers[position].name} (0-{layers[position].size - 1})",
                   range(layers[position].size), default=list(edits.silenced_in(position)), key=key,
                   on_change=picked, args=(model, position, key))
    count = min(PICKED, layers[position].size)          # LeNet's first convolution has only 6 filters
    important, random = st.columns(2)
    important.button(f"Silence the {count} most important", icon=":material/target:", on_click=one_click,
                     args=(model, position, True), key="ablation_important")
    random.button(f"Silence {count} random ones", icon=":material/casino:", on_click=one_click,
                  args=(model, position, False), key="ablation_random")


def edit_weight(model: ModelEntry, edits: Edits, after_net):
    """One weight, scaled or set: the array, its row (input) and column (unit), and the number."""
    arrays = {name: weight_matrix(W) for name, W in model.network.params().items() if not name.startswith("b")}
    with st.expander("Scale or set one weight", icon=":material/tune:"):
        st.caption("A kernel K (k, k, C, F) is edited as the matrix the convolution multiplies by: row = one "
                   "(i, j, channel) entry of a patch, column = one filter.")
        name_col, row_col, column_col = side_by_side(3)
        name = name_col.selectbox("Weights", list(arrays), key="ablation_weight_name")
        rows, columns = arrays[name].shape
        row = row_col.number_input(f"Row (0-{rows - 1})", 0, rows - 1, 0, key="ablation_weight_row")
        column = column_col.number_input(f"Column (0-{columns - 1})", 0, columns - 1, 0, key="ablation_weight_column")
        how_col, number_col = side_by_side(2)
        how = how_col.radio("Change", ["scale", "set"], horizontal=True, key="ablation_weight_how",
                            format_func={"scale": "scale by", "set": "set to"}.get)
        number = number_col.number_input("Number", value=0.0, step=0.5, format="%.4f", key="ablation_weight_number")
        current = float(weight_matrix(after_net.params()[name])[row, column])
        st.caption(f"{name}[{row}, {column}] is now {current:+.4f}.")
        if st.button("Apply", icon=":material/check:", key="ablation_weight_apply"):
            record(model, edits.edit_weight(name, row, column, how, number))
            st.rerun()


def in_words(edits: Edits, layers: list) -> str:
    parts = [f"{layers[p].name}: {', '.join(map(str, units))} silenced" for p, units in edits.silenced]
    parts += [f"{name}[{row}, {column}] {'×' if how == 'scale' else '='} {number:g}"
              for name, row, column, how, number in edits.weights]
    return "; ".join(parts) if parts else "no edits yet: before and after are the same model"


def show_results(model: ModelEntry, edits: Edits, layers: list, n: int):
    """Accuracy before → after, per class, and the learner's drawing's probabilities before and after."""
    key = model.network.digest()
    _, before, before_classes = measured(key, repr(Edits()), n, model.network, Edits(), model.data)
    after_net, after, after_classes = measured(key, repr(edits), n, model.network, edits, model.data)
    st.markdown(f"**In force:** {in_words(edits, layers)}.")
    left, middle, right = side_by_side(3)
    left.metric(f"Test accuracy before ({n:,} images)", f"{before:.2%}")
    middle.metric("After", f"{after:.2%}", f"{(after - before) * 100:+.2f} points", delta_color="normal")
    right.button("Use this model", icon=":material/check_circle:", on_click=use, args=(model, after_net),
                 disabled=edits == Edits(), key="ablation_use",
                 help="Adds the edited copy to your session's models and makes it current on every page.")
    drawing = st.session_state.get(state.LAST_DIGIT) if model.data.name == "mnist" else None
    x = model.data.X_test[0] if drawing is None else drawing
    what = "your last drawing" if drawing is not None else "test image #0 (draw a digit on the Draw page to use yours)"
    classes_col, drawing_col = side_by_side(2)
    show_chart(per_class_before_after(before_classes, after_classes, model.data.info.classes,
                                      "Accuracy on each class, before and after"), key="ablation_classes",
               where=classes_col)
    p_before, p_after = model.network.predict_proba(x[None])[0], after_net.predict_proba(x[None])[0]
    show_chart(charts.before_after(p_before, p_after), key="ablation_drawing", where=drawing_col)
    classes = model.data.info.classes
    drawing_col.caption(f"The probabilities for {what}: predicted **{classes[p_before.argmax()]}** before, "
                        f"**{classes[p_after.argmax()]}** after.")


def use(model: ModelEntry, network):
    """The edited copy becomes one of this session's models (a copy of its own: the cached one is shared)."""
    key = model.key if model.key.startswith("edited:") else f"edited:{model.key}"
    meta = {name: value for name, value in model.meta.items() if name != "test_accuracy"}  # no longer its accuracy
    state.add_session_model(ModelEntry(key, f"{model.name} · edited", network.copy(), meta))
