"""The one place that names st.session_state keys and owns each user's objects.

Per user: the models trained or uploaded in this session, the current model, the training job.
Shared and read-only: the dataset and the shipped models (ui.resources).
"""
import streamlit as st

from ui.resources import DEFAULT_MODEL, ModelEntry, shipped_models

SESSION_MODELS = "session_models"   # {key: ModelEntry}
PICKER = "model_picker"             # the sidebar selectbox: the key of the model every page uses
PENDING = "pending_model"           # a model to select in the picker on the next run
TRAINING_JOB = "training_job"       # ui.training.TrainingJob or absent
RUN_COUNT = "run_count"             # trainings started in this session, to name them Run 1, Run 2, ...
TEST_IMAGE = "draw_test_index"      # the test image shown on the Draw page
EXAMPLES_SEED = "explore_seed"      # which random examples the explorer shows
UPLOADED = "model_upload_done"      # file id of the model upload already loaded
PRESENTING = "presenter_mode"       # the sidebar toggle
LAST_DIGIT = "last_digit"           # the learner's latest prepared drawing (784,), for How it works
APPLIED_LINK = "applied_link"       # the URL settings already applied to the Train page
LAST_STEP = "last_teaching_step"   # ui.teaching.Step of the latest step, for showing what it did
TAUGHT = "taught_history"           # weights before each teaching step of this session's taught model


def session_models() -> dict:
    return st.session_state.setdefault(SESSION_MODELS, {})


def all_models() -> dict:
    """Shipped models first, then this session's, by key."""
    return {**shipped_models()[0], **session_models()}


def current_model() -> ModelEntry:
    models = all_models()
    key = st.session_state.get(PENDING) or st.session_state.get(PICKER, DEFAULT_MODEL)
    return models.get(key) or models.get(DEFAULT_MODEL) or next(iter(models.values()))


def set_current(key: str):
    """Make a model current on every page. The sidebar picker shows it when it is next drawn: at once from a
    widget callback (callbacks run before the script), else after st.rerun()."""
    st.session_state[PENDING] = key


def sync_picker(models: dict):
    """Before the picker is drawn: select a pending model, or a valid one if its model is gone."""
    pending = st.session_state.pop(PENDING, None)
    if pending in models:
        st.session_state[PICKER] = pending
    if st.session_state.get(PICKER) not in models:
        st.session_state[PICKER] = DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models))


def add_session_model(entry: ModelEntry, make_current: bool = True):
    session_models()[entry.key] = entry
    if make_current:
        set_current(entry.key)


def next_run_number() -> int:
    st.session_state[RUN_COUNT] = st.session_state.get(RUN_COUNT, 0) + 1
    return st.session_state[RUN_COUNT]


def training_job():
    return st.session_state.get(TRAINING_JOB)


def set_training_job(job):
    st.session_state[TRAINING_JOB] = job


def presenting() -> bool:
    return bool(st.session_state.get(PRESENTING, False))


def kept(key: str, default):
    """A widget key whose value survives switching pages (Streamlit drops the state of unrendered widgets)."""
    store = f"kept:{key}"
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(store, default)
    st.session_state[store] = st.session_state[key]
    return key


def remember(*keys):
    """Store widget values under keys of our own after the widgets ran (pairs with `kept`)."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"kept:{key}"] = st.session_state[key]
