"""The lab: "what happens if…?" on the current model, one experiment at a time, each a click away."""
import streamlit as st

from pages.sections import lab_ablation, lab_confidence, lab_maps, lab_robustness, lab_runs
from ui import state
from ui.shell import require_app_shell

require_app_shell()

model = state.current_model()
st.title("The lab")
st.markdown(f"Experiments on **{model.label}** ({model.architecture}). Each one works on a copy kept in your session "
            "or only measures: the shipped models never change, and nobody else's model does either.")

EXPERIMENTS = {  # name -> (icon, the section that shows it; it receives the current model)
    "Silence neurons": (":material/block:", lab_ablation.show),
    "Stress it": (":material/blur_on:", lab_robustness.show),
    "When it doesn't know": (":material/help:", lab_confidence.show),
    "Maps of the layers": (":material/scatter_plot:", lab_maps.show),
    "Compare runs": (":material/compare_arrows:", lab_runs.show),
}
chosen = st.segmented_control("Experiment", list(EXPERIMENTS), key=state.kept("lab_experiment", next(iter(EXPERIMENTS))),
                              format_func=lambda name: f"{EXPERIMENTS[name][0]} {name}") or next(iter(EXPERIMENTS))
EXPERIMENTS[chosen][1](model)
