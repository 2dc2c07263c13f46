"""Teaching a model one image: gradient steps on a copy that belongs to this session, with undo.

The first step on a shared (shipped) model makes a copy, "<model> · taught", the current model.
Each step keeps the weights it started from, so Undo restores them exactly.
"""
from dataclasses import dataclass

import streamlit as st

from core.nn.explain import gradient_step
from core.nn.network import Classifier
from ui import state
from ui.resources import ModelEntry

TAUGHT_PREFIX = "taught:"


@dataclass
class Step:
    """What the last teaching step did, for showing: the model before it, the image, label and rate."""
    before: Classifier
    x: object
    label: int
    learning_rate: float
    steps: int


def history() -> dict:
    """{taught model key: [networks before each step, oldest first]} for this session."""
    return st.session_state.setdefault(state.TAUGHT, {})


def last_step() -> Step | None:
    return st.session_state.get(state.LAST_STEP)


def teach(entry: ModelEntry, x, label: int, learning_rate: float, steps: int = 1) -> ModelEntry:
    """Take `steps` gradient steps on image x with `label`; the result becomes this session's current model."""
    key = entry.key if entry.key.startswith(TAUGHT_PREFIX) else TAUGHT_PREFIX + entry.key
    base_name = entry.label.split(" · ")[0]  # without the base model's accuracy, which no longer holds
    history().setdefault(key, []).append(entry.network)
    taught = ModelEntry(key, f"{base_name} · taught", gradient_step(entry.network, x, label, learning_rate, steps),
                        {**entry.meta, "taught_steps": len(history()[key])}, entry.initial)
    state.add_session_model(taught)
    st.session_state[state.LAST_STEP] = Step(entry.network, x, label, learning_rate, steps)
    return taught


def undo(entry: ModelEntry) -> bool:
    """Return to the weights before the last step; after the first step's undo, the original model is current."""
    stack = history().get(entry.key)
    if not stack:
        return False
    previous = stack.pop()
    st.session_state.pop(state.LAST_STEP, None)
    if stack:
        state.add_session_model(ModelEntry(entry.key, entry.label, previous, entry.meta, entry.initial))
    else:
        del state.session_models()[entry.key]
        state.set_current(entry.key.removeprefix(TAUGHT_PREFIX))
    return True
