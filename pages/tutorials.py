"""Tutorials, reproduced: the famous from-scratch networks, their published figures (or our targets), and ours."""
from types import SimpleNamespace

import streamlit as st

from core.nn.cnn import ConvNet
from core.nn.explain import contributions
from core.presets import PRESETS, preset_config
from ui import charts, state
from ui.diagram import living_diagram
from ui.resources import shipped_models
from ui.settings import apply_preset_values
from ui.shell import require_app_shell, show_chart, side_by_side
from ui.training import start_training

require_app_shell()
TOLERANCE = 0.005  # within half a point of the published figure (or our target) counts as reproduced (reached)


def show_network(entry):
    """The network's shape: a living diagram of a dense one for test image #0, each layer's output of a
    convolutional one."""
    network = entry.network
    if isinstance(network, ConvNet):
        st.dataframe([{"layer": what, "output of one image": " × ".join(map(str, shape))}
                      for what, shape in network.layer_shapes()], hide_index=True, height=280)
    else:
        flow = contributions(network, entry.data.X_test[0])
        show_chart(living_diagram(flow, network.activation, network.output, entry.data.info.classes, height=320),
                   key="tutorial_network")
        st.caption("Its neurons for test image #0, coloured by their activations, and its strongest connections "
                   "(weight × activation); Home draws the current model this way for any digit, and opens a neuron "
                   "on a click.")


def show_curve(meta: dict):
    """The accuracy after every epoch of the training that made the shipped model, as its file records it."""
    history = meta.get("history")
    if not history:
        st.caption("This model file records no training curve: rebuild it with `bash weights/make_all.sh`.")
        return
    epochs = [SimpleNamespace(**dict(zip(history, values))) for values in zip(*history.values())]
    show_chart(charts.accuracy_curve(epochs, height=280), key="tutorial_curve")
    st.caption(f"Measured while it trained: the accuracy after each of its {len(epochs)} epochs, on its training "
               "images and on the validation images held out from them.")


st.title("Tutorials, reproduced")
st.markdown("The classic from-scratch MNIST networks, and two of our own, each trained by this app's own NumPy code "
            "from its preset. Beside each: the figure the tutorial published (for ours, the target we set), the "
            "test accuracy measured here on the 10,000 test images with the model that ships in `weights/` "
            "(rebuilt by `bash weights/make_all.sh`). Below them: any one's network and how it learned.")

shipped = shipped_models()[0]
job = state.training_job()
busy = job is not None and job.active
for name, preset in PRESETS.items():
    entry = shipped.get(f"shipped:{name}")
    with st.container(border=True, key=f"tutorial_{name}"):
        about, figures, actions = st.columns([3, 2, 2])
        about.markdown(f"**{preset.title}**  \n{preset.source}  \n`python -m core.train --preset {name}`")
        if entry is None:
            figures.warning("Its shipped model is missing: train it here.", icon=":material/warning:")
        else:
            measured = entry.test_accuracy
            met = measured >= preset.published - TOLERANCE
            figures.metric("Measured here", f"{measured:.2%}", f"{preset.figure_name} {preset.published:.0%}",
                           delta_color="off", delta_arrow="off")
            verdict = "reached" if preset.ours else "reproduced"
            figures.badge(verdict if met else f"not {verdict}", icon=":material/check:" if met else ":material/close:",
                          color="green" if met else "red")
            actions.button("Use this model", key=f"use_{name}", icon=":material/input:", on_click=state.set_current,
                           args=(entry.key,))
        if actions.button("Train it again here", key=f"train_{name}", icon=":material/model_training:", disabled=busy,
                          help="Starts it on the Train page, where you can watch it learn."):
            apply_preset_values(name)
            start_training(preset_config(name))
            st.switch_page("pages/train.py")
if busy:
    st.info("A training of yours is running: stop it on the Train page to start another.", icon=":material/info:")

available = [name for name in PRESETS if f"shipped:{name}" in shipped]
if available:
    st.subheader("A closer look: the network, and how it learned")
    chosen = st.segmented_control("Tutorial", available, key=state.kept("tutorial_chosen", available[0]),
                                  format_func=lambda name: f"{name} · {shipped[f'shipped:{name}'].test_accuracy:.2%}")
if available and chosen:
    entry = shipped[f"shipped:{chosen}"]
    network_col, curve_col = side_by_side(2)  # a diagram of 3 to 5 columns needs half the page; a projector stacks
    with network_col:
        show_network(entry)
    with curve_col:
        show_curve(entry.meta)
