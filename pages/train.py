"""Train: choose a network and its training, then watch it learn, live."""
from dataclasses import asdict

import streamlit as st

from core.io import model_bytes
from core.presets import PRESETS
from core.train import build_network
from ui import charts, state
from ui.classroom import settings_from_url, url_from_settings
from ui.settings import FIELDS, MAX_EPOCHS_FULL_BATCH, settings_form
from ui.convolution import first_layer_tiles
from ui.training import TrainingJob, estimated_seconds, register_finished_run, start_training
from ui.shell import require_app_shell, show_chart

require_app_shell()

POLL = 1.0           # seconds between live updates of the status and the curves
PICTURES_POLL = 2.0  # seconds between live updates of the first layer's pictures
NEURONS_SHOWN = 36  # first-layer neurons drawn live

st.title("Train a network")
st.markdown("Pick a preset or set every knob yourself, press **Start**, and watch the network learn. "
            "Training goes on while you visit other pages; come back to see it.")



@st.cache_resource
def preset_architectures() -> dict:
    """Each preset's layers in words, built once per server (a network of random weights each)."""
    return {name: build_network(p.config).architecture for name, p in PRESETS.items()}


def duration(seconds: float) -> str:
    return f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"


def apply_link_settings():
    """Settings from a shared link, once per link in this session (later changes are the learner's)."""
    link = st.query_params.to_dict()
    if not link or st.session_state.get(state.APPLIED_LINK) == link:
        return
    st.session_state[state.APPLIED_LINK] = link
    values, ignored = settings_from_url(link)
    for key, value in values.items():
        st.session_state[key] = value
    state.remember(*FIELDS)
    if ignored:
        st.warning("Some settings in this link were ignored: " + "; ".join(ignored), icon=":material/link_off:")


job = state.training_job()
active = job is not None and job.active
apply_link_settings()
config, problem = settings_form(disabled=active, compact=state.presenting())
if problem is None:
    st.query_params.from_dict(url_from_settings(st.session_state))  # the address now shares these settings
    st.session_state[state.APPLIED_LINK] = st.query_params.to_dict()


left, mid, right, far = st.columns(4)
left.button("Start", type="primary", icon=":material/play_arrow:", disabled=active or problem is not None,
            on_click=lambda: start_training(config), width="stretch")
mid.button("Stop", icon=":material/stop:", disabled=not active, on_click=lambda: job.stop(), width="stretch")
if job is not None and job.status == "paused":
    right.button("Resume", icon=":material/resume:", on_click=lambda: job.resume(), width="stretch")
else:
    right.button("Pause", icon=":material/pause:", disabled=not active, on_click=lambda: job.pause(), width="stretch")
can_extend = job is not None and not active and job.trainer is not None and job.status != "diverged"
far.button("+1 epoch", icon=":material/add:", disabled=not can_extend or job.config.epochs >= MAX_EPOCHS_FULL_BATCH,
           on_click=lambda: job.more_epochs(1), width="stretch")
if problem:
    st.error(problem, icon=":material/error:")
elif not active:
    seconds = estimated_seconds(config)
    st.caption(f"Estimated training time on this server now: **{duration(seconds)}** for {config.epochs} epoch(s) "
               f"of {config.train_size:,} images (a few steps timed just now, scaled up; more while the server is "
               "busy).")
if active:
    lr = st.number_input("Learning rate, changeable while it trains", min_value=0.0, max_value=10.0,
                         value=float(job.config.learning_rate), format="%g", step=job.config.learning_rate / 2 or 1e-3,
                         key=f"live_lr_{id(job)}")
    if lr != job.config.learning_rate:
        job.set_learning_rate(lr)


@st.fragment(run_every=POLL if active else None)
def live_view():
    job = state.training_job()
    if job is None:
        st.info("No training yet in this session. The charts appear here when you press **Start**. (A page "
                "that was training when the server restarted comes back here: its training was lost with the "
                "restart, and the settings above are kept for a new Start.)", icon=":material/info:")
        return
    job.touch()
    if register_finished_run(job):
        st.rerun()  # the whole app: the sidebar shows the new current model
    snap = job.snapshot()
    show_status(job, snap)
    if snap.latest is None:
        return
    loss_col, acc_col = st.columns(2)
    with loss_col:
        show_chart(charts.loss_curve(snap.step_epochs, snap.step_losses, snap.epochs), key="loss_chart")
    with acc_col:
        if snap.epochs:
            show_chart(charts.accuracy_curve(snap.epochs), key="accuracy_chart")
        else:
            st.caption("Train and validation accuracy appear after the first epoch.")


@st.fragment(run_every=PICTURES_POLL if active else None)
def live_pictures():
    """The first layer as it learns: redrawn less often than the curves (a picture is 50 times their size)."""
    job = state.training_job()
    network = job.snapshot(with_weights=True).network if job is not None else None
    if network is None:
        return
    images, _, what = first_layer_tiles(network, NEURONS_SHOWN)
    show_chart(charts.mosaic(images, 12, diverging=True, width=800 if len(images) > 8 else 500,
                             title=f"{len(images)} {what}, as they learn"), key="live_neurons")
    st.caption(f"Numbered 0 to {len(images) - 1}, left to right and row by row; the Weights page names each one "
               "on hover.")


def model_file(job: TrainingJob, snap) -> bytes:
    """The finished model as a file, made once per run when first asked for (bytes passed at every poll made
    Streamlit replace the file a browser was about to fetch: a 404)."""
    if job.model_file[0] != snap.finished_runs:
        job.model_file = (snap.finished_runs, model_bytes(job.trainer.network, {
            "test_accuracy": snap.test_accuracy, "config": asdict(job.config)}))
    return job.model_file[1]


def show_status(job: TrainingJob, snap):
    latest = snap.latest
    if snap.status == "diverged":
        st.error(snap.message, icon=":material/error:")
    elif snap.status == "failed":
        st.error(snap.message, icon=":material/error:")
    elif snap.status in ("queued", "paused") or (snap.status == "stopped" and snap.message):
        st.warning(snap.message, icon=":material/hourglass_top:" if snap.status == "queued" else ":material/pause:")
    if latest is not None:
        done = min(latest.epoch / snap.planned_epochs, 1.0)
        rate = latest.epoch * job.train_images / max(latest.elapsed, 1e-9)  # images per second of training
        remaining = (snap.planned_epochs - latest.epoch) * job.train_images / max(rate, 1)
        st.progress(done, text=f"epoch {latest.epoch:.2f} of {snap.planned_epochs} · {rate:,.0f} images/s · "
                               + (f"about {remaining:.0f} s left" if snap.status in job.ACTIVE else snap.status))
        last_epoch = snap.epochs[-1] if snap.epochs else None
        cols = st.columns(4)
        cols[0].metric("Batch loss", f"{latest.batch_loss:.4f}")
        cols[1].metric("Train accuracy", f"{last_epoch.train_accuracy:.2%}" if last_epoch else "–")
        cols[2].metric("Validation accuracy", f"{last_epoch.val_accuracy:.2%}" if last_epoch else "–")
        cols[3].metric("Learning rate", f"{latest.learning_rate:.3g}")
    if snap.test_accuracy is not None and snap.status in ("done", "stopped"):
        st.success(f"Finished: **{snap.test_accuracy:.2%}** of the 10,000 test images are read correctly. "
                   "This model is now the current one on every page.", icon=":material/check_circle:")
        st.download_button("Download the model (.npz)", lambda: model_file(job, snap),  # made on click
                           file_name=f"{job.name.replace(' ', '-').lower()}.npz", icon=":material/download:")


live_view()
live_pictures()

with st.expander("The presets and what their tutorials published"):
    st.dataframe([{"preset": name, "network": preset_architectures()[name],
                   "what": p.title, "source": p.source, "published test accuracy": f"{p.published:.0%}"}
                  for name, p in PRESETS.items()], hide_index=True, width="stretch")
