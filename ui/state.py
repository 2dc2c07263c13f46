"""The one place that names st.session_state keys and owns each user's objects.

Per user: the models trained or uploaded in this session, the current model, the training job.
Shared and read-only: the dataset and the shipped models (ui.resources).
"""
import streamlit as st

from core.calibration import DEFAULT_THRESHOLD
from ui.resources import DEFAULT_MODEL, ModelEntry, shipped_models

SESSION_MODELS = "session_models"   # {key: ModelEntry}
CURRENT = "current_model"           # the key of the model every page uses
PICKER = "model_picker"             # the sidebar selectbox's key is this + the number of changes the app made
PICKER_VERSION = "model_picker_version"
TRAINING_JOB = "training_job"       # jobs.training.TrainingJob or absent
RUN_COUNT = "run_count"             # trainings started in this session, to name them Run 1, Run 2, ...
TEST_IMAGE = "draw_test_index"      # the test image shown on the Draw page
EXAMPLES_SEED = "explore_seed"      # which random examples the explorer shows
UPLOADED = "model_upload_done"      # file id of the model upload already loaded
PRESENTING = "presenter_mode"       # the sidebar toggle
LAST_DIGIT = "last_digit"           # the learner's latest prepared drawing (784,), for How it works
KNOWN_LINKS = "known_links"         # the Train page addresses this session applied or wrote: no new link when seen again
LOST_TRAINING = "lost_training"     # True when this page's address shows a training whose server process stopped
LAST_STEP = "last_teaching_step"   # ui.teaching.Step of the latest step, for showing what it did
TAUGHT = "taught_history"           # weights before each teaching step of this session's taught model
EXPLAINED = "hiw_digit"             # pages.sections.explain.Digit: the digit How it works follows through the network
EXPLAIN_STEP = "hiw_step"           # the step of How it works on show
OWN_DATA = "own_data"               # (the uploaded files' ids, core.owndata.OwnData or why it was refused), Train
TOY_LESSONS = "toy_lessons"         # {(data set, hidden, activation, seed): core.toy.Lesson}, One neuron first
RUNS_CHOSEN = "runs_chosen"         # the model keys the lab's Compare runs overlays
RUNS_SHIPPED = "runs_shipped"       # its toggle: the shipped models in its table too
REJECT_THRESHOLD = "reject_threshold"  # the lab's confidence threshold (kept); below it Draw says "not sure"
TEMPERATURE_FIT = "temperature_fit"  # the lab's toggle: show temperature scaling (kept)
ABLATION = "lab_ablation"           # {(model key, weights digest): [core.nn.ablation.Edits, ...]}, the last in force
ABLATION_VERSION = "lab_ablation_version"  # counts the lab's own changes of its unit picker (a new widget each)
MAP_DIGIT = "lab_map_digit"          # the test digit clicked on the lab's layer map, shown beside it


def session_models() -> dict:
    return st.session_state.setdefault(SESSION_MODELS, {})


def all_models() -> dict:
    """Shipped models first, then this session's, by key."""
    return {**shipped_models()[0], **session_models()}


def current_model() -> ModelEntry:
    models = all_models()
    key = st.session_state.get(CURRENT, DEFAULT_MODEL)
    return models.get(key) or models.get(DEFAULT_MODEL) or next(iter(models.values()))


def set_current(key: str):
    """The app makes a model current on every page (a finished run, an upload, Undo, 'Use this model').

    The picker is then drawn as a new widget (a new key) showing it: a choice the browser sends for the old
    widget, which it may do in the same instant from an earlier rerun, can no longer undo the change.
    The picker shows it when next drawn: at once from a widget callback, else after st.rerun().
    """
    st.session_state[CURRENT] = key
    st.session_state[PICKER_VERSION] = st.session_state.get(PICKER_VERSION, 0) + 1


def picker(models: dict) -> tuple:
    """Before the picker is drawn: (its key, the position of the current model), a valid model if it is gone.

    The position is the new widget's default: its first value in the browser is the current model. (Setting a
    new widget's value through st.session_state instead let the browser answer with the default, the first
    model, which its callback then took for the learner's choice.)
    """
    if st.session_state.get(CURRENT) not in models:
        set_current(DEFAULT_MODEL if DEFAULT_MODEL in models else next(iter(models)))
    return picker_key(), list(models).index(st.session_state[CURRENT])


def picker_key() -> str:
    return f"{PICKER}_{st.session_state.get(PICKER_VERSION, 0)}"


def choose(picker: str):
    """The learner picked a model in the sidebar (its widget callback). A callback of an older picker is the
    browser's late echo of a widget the app has since replaced (its rerun request crossed the new page on the
    wire): ignored, so it cannot undo the app's change."""
    if picker == picker_key():
        st.session_state[CURRENT] = st.session_state[picker]


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


def reject_threshold() -> float:
    """The confidence below which a prediction reads "not sure": set in the lab, kept across pages."""
    return st.session_state.get(f"kept:{REJECT_THRESHOLD}", DEFAULT_THRESHOLD)
