"""Train: choose a network and its training, then watch it learn, live."""
import streamlit as st

from core.presets import PRESETS
from core.training import build_network
from jobs.state import Status
from pages.sections.train_live import live_pictures, live_view
from pages.sections.train_own_data import own_data
from ui import state
from ui.classroom import settings_from_url, url_from_settings
from ui.settings import FIELDS, MAX_EPOCHS_FULL_BATCH, settings_form
from ui.shell import require_app_shell
from ui.training import RUN_PARAM, estimated_seconds, load_factor, server_token, start_training

require_app_shell()

POLL = 1.0           # seconds between live updates of the status and the curves
PICTURES_POLL = 2.0  # seconds between live updates of the pictures (what it reads, its diagram, its first layer)

st.title("Train a network")


@st.cache_resource
def preset_architectures() -> dict:
    """Each preset's layers in words, built once per server (a network of random weights each)."""
    return {name: build_network(p.config).architecture for name, p in PRESETS.items()}


def duration(seconds: float) -> str:
    return f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"


def known_link(link: dict) -> bool:
    """Whether this session applied or wrote this address before (and remember it from now on). The tab sends its
    address with every rerun, and a click made before the page's new address arrived still carries an old one: an
    echo of the session's own past, not a link to apply, which would undo the learner's latest change."""
    known = st.session_state.setdefault(state.KNOWN_LINKS, set())
    key = frozenset(link.items())
    if key in known:
        return True
    known.add(key)
    return False


def apply_link_settings():
    """Settings from a shared link, once per link in this session (later changes are the learner's)."""
    link = st.query_params.to_dict()
    if not link or known_link(link):
        return
    if state.training_job() is None and link.get(RUN_PARAM, server_token()) != server_token():
        st.session_state[state.LOST_TRAINING] = True  # the address was made while another server process trained
    values, ignored = settings_from_url(link)
    for key, value in values.items():
        st.session_state[key] = value
    state.remember(*FIELDS)
    if ignored:
        st.warning("Some settings in this link were ignored: " + "; ".join(ignored), icon=":material/link_off:")


def settings(active: bool):
    """The settings; while none has a problem, the page address carries them (and that a training runs here)."""
    config, problem = settings_form(disabled=active, compact=state.presenting())
    if problem is None:
        st.query_params.from_dict(url_from_settings(st.session_state) | ({RUN_PARAM: server_token()} if active else {}))
        known_link(st.query_params.to_dict())
    return config, problem


def controls(job, config, problem, own=None):
    active = job is not None and job.active
    left, mid, right, far = st.columns(4)
    left.button("Start", type="primary", icon=":material/play_arrow:", disabled=active or problem is not None,
                on_click=lambda: start_training(config, own), width="stretch")
    mid.button("Stop", icon=":material/stop:", disabled=not active, on_click=lambda: job.stop(), width="stretch")
    if job is not None and job.status == Status.PAUSED:
        right.button("Resume", icon=":material/resume:", on_click=lambda: job.resume(), width="stretch")
    else:
        right.button("Pause", icon=":material/pause:", disabled=not active, on_click=lambda: job.pause(),
                     width="stretch")
    can_extend = job is not None and not active and job.trainer is not None and job.status != Status.DIVERGED
    far.button("+1 epoch", icon=":material/add:", on_click=lambda: job.more_epochs(1), width="stretch",
               disabled=not can_extend or job.config.epochs >= MAX_EPOCHS_FULL_BATCH)


def estimate(config):
    """The time it needs: processor time (steady), and how much longer the wall clock may take at this load."""
    seconds, factor = estimated_seconds(config), load_factor()
    text = (f"Estimated training time: **{duration(seconds)}** of one processor core for {config.epochs} epoch(s) "
            f"of {config.train_size:,} images (a few steps timed on this server). ")
    if factor < 1.25:
        text += "A core is free now, so expect about that."
    else:
        text += (f"Its cores are busy now (load average: {factor:.1f} programs per core): expect between that and "
                 f"**{duration(seconds * factor)}**.")
    st.caption(text)


def live_learning_rate(job):
    lr = st.columns(3)[0].number_input(
        "Learning rate, changeable while it trains", min_value=0.0, max_value=10.0, format="%g",
        value=float(job.config.learning_rate), step=job.config.learning_rate / 2 or 1e-3, key=f"live_lr_{id(job)}")
    if lr != job.config.learning_rate:
        job.set_learning_rate(lr)


job = state.training_job()
active = job is not None and job.active
apply_link_settings()
if active:  # what it does now comes first; the settings it runs with fold away below
    controls(job, None, None)
    st.fragment(run_every=POLL)(live_view)(True)
    live_learning_rate(job)
    st.fragment(run_every=PICTURES_POLL)(live_pictures)()
    with st.expander("The settings of this training", icon=":material/tune:"):
        settings(active)
    own_data(None, None, disabled=True)  # drawn, so the uploaded file stays for the next run
else:
    st.markdown("Pick a preset or change a setting, press **Start**, and watch the network learn. "
                "Training goes on while you visit other pages; come back to see it.")
    config, problem = settings(active)
    config, problem, own = own_data(config, problem, disabled=False)
    controls(job, config, problem, own)
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        estimate(config)
    live_view(False)
    live_pictures()

with st.expander("The presets and what their tutorials published"):
    st.dataframe([{"preset": name, "network": preset_architectures()[name],
                   "what": p.title, "source": p.source, "published test accuracy": f"{p.published:.0%}"}
                  for name, p in PRESETS.items()], hide_index=True, width="stretch")
