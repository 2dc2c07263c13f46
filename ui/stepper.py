"""Steps a learner takes one at a time: one pill per step to jump, Back and Next to walk.

The current step lives in st.session_state under its own key, so it survives a visit to another page."""
import streamlit as st

from ui import state


def move(key: str, steps: list, by: int):
    """Back (-1) or Next (+1): a button callback, so the pills are drawn with the new step."""
    i = steps.index(st.session_state[key]) + by
    st.session_state[key] = steps[min(max(i, 0), len(steps) - 1)]


def current_step(steps: list, key: str) -> str:
    """The step on show: the learner's, or the first one when the steps changed (with the model, say)."""
    state.kept(key, steps[0])
    if st.session_state[key] not in steps:
        st.session_state[key] = steps[0]
        state.remember(key)
    return st.session_state[key]


def stepper(steps: list, key: str, note: str = ""):
    """The pills, then `note` (markdown) beside the Back and Next buttons."""
    i = steps.index(current_step(steps, key))
    st.segmented_control("Step", steps, required=True, key=key, label_visibility="collapsed", width="stretch",
                         format_func=lambda step: f"{steps.index(step) + 1}. {step}")
    text, back, forward = st.columns([3, 1, 1], vertical_alignment="center")  # buttons wide enough for a projector
    text.markdown(note)
    back.button("Back", icon=":material/arrow_back:", key=f"{key}_back", disabled=i == 0, width="stretch",
                on_click=move, args=(key, steps, -1))
    forward.button("Next", icon=":material/arrow_forward:", key=f"{key}_next", disabled=i == len(steps) - 1,
                   width="stretch", on_click=move, args=(key, steps, 1))
