"""Tutorials, reproduced: the famous from-scratch networks, their published figures, and ours."""
import streamlit as st

from core.presets import PRESETS, preset_config
from ui import state
from ui.resources import shipped_models
from ui.settings import apply_preset_values
from ui.shell import require_app_shell
from ui.training import start_training

require_app_shell()
TOLERANCE = 0.005  # within half a point of the published figure counts as reproduced

st.title("Tutorials, reproduced")
st.markdown("The classic from-scratch MNIST networks, each trained by this app's own NumPy code from its preset. "
            "The figure each tutorial published beside the test accuracy measured here on the 10,000 test images, "
            "with the model that ships in `weights/` (rebuilt by `bash weights/make_all.sh`).")

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
            reproduced = measured >= preset.published - TOLERANCE
            figures.metric("Measured here", f"{measured:.2%}", f"published {preset.published:.0%}", delta_color="off",
                           delta_arrow="off")
            figures.badge("reproduced" if reproduced else "not reproduced", icon=":material/check:" if reproduced
                          else ":material/close:", color="green" if reproduced else "red")
            actions.button("Use this model", key=f"use_{name}", icon=":material/input:", on_click=state.set_current,
                           args=(entry.key,))
        if actions.button("Train it again here", key=f"train_{name}", icon=":material/model_training:", disabled=busy,
                          help="Starts it on the Train page, where you can watch it learn."):
            apply_preset_values(name)
            start_training(preset_config(name))
            st.switch_page("pages/train.py")
if busy:
    st.info("A training of yours is running: stop it on the Train page to start another.", icon=":material/info:")
