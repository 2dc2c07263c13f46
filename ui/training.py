"""This server's side of trainings: one job (jobs.training) per session, its slots, its estimate, what it shows.

The Train page polls the session's job with a fragment; the sidebar of every page registers a finished run as
a model of the session.
"""
import os
import secrets
import threading

import streamlit as st

from core.data import DATASETS
from core.presets import TrainConfig
from core.training import estimate_seconds, train_metadata
from jobs.state import Snapshot
from jobs.training import MAX_CONCURRENT, TrainingJob

RUN_PARAM = "training"  # in the Train page's address while it trains: the server process that runs the training


@st.cache_resource
def training_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(MAX_CONCURRENT)


@st.cache_data(ttl=600, max_entries=100, show_spinner=False)
def estimated_seconds(config: TrainConfig) -> float:
    """Seconds of one core's work `config` needs (processor time, steady whatever the load; see
    core.training.estimate_seconds), measured afresh every ten minutes."""
    return estimate_seconds(config, config.train_size)


def load_factor() -> float:
    """How many times longer than its processor time a training takes now, at most: the processes that want a
    core (the load average of the last minute) per core of this server, 1 when a core is free."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1.0, os.getloadavg()[0] / cores)


@st.cache_resource
def server_token() -> str:
    """A random name for this server process: a page address naming another one was made before a restart."""
    return secrets.token_hex(4)


def start_training(config: TrainConfig) -> "TrainingJob":
    """Start this session's training job (named Run 1, Run 2, ...) on the shared training images.

    One training per session: while one runs, a second Start (a double click) returns the running one.
    """
    from ui import state
    from ui.resources import dataset
    running = state.training_job()
    if running is not None and running.active:
        return running
    data = dataset(config.dataset)
    job = TrainingJob(config, (data.train_images, data.train_labels), (data.test_images, data.test_labels),
                      training_slots(), session_connected())
    job.name = f"Run {state.next_run_number()}"
    state.set_training_job(job)
    return job


def progress_text(snap: Snapshot) -> str:
    """How far a training has got, in one line: the Train page and the sidebar both show this, never their own."""
    latest = snap.latest
    if latest is None:
        return snap.message or snap.status
    rate = latest.epoch * snap.train_images / max(latest.elapsed, 1e-9)  # images per second of training
    remaining = (snap.planned_epochs - latest.epoch) * snap.train_images / max(rate, 1)  # seconds
    end = f"about {remaining:.0f} s left" if snap.status in TrainingJob.ACTIVE else snap.status
    return f"epoch {latest.epoch:.2f} of {snap.planned_epochs} · {rate:,.0f} images/s · {end}"


def register_finished_run(job: "TrainingJob") -> bool:
    """Make a run that finished since the last look a model of this session, and the current one on every page.

    Called by the Train page and by the sidebar of every page, so a run that ends while the learner draws
    becomes current too. True when one was added: the caller reruns the app, so the picker shows it.
    """
    from ui import state
    from ui.resources import ModelEntry
    snap = job.snapshot()
    if snap.finished_runs <= job.registered_runs:
        return False
    network = job.trainer.network.copy()
    on = "" if job.config.dataset == "mnist" else f" · {DATASETS[job.config.dataset].title}"
    epochs = snap.latest.epoch if snap.latest else job.trainer.epochs_done   # a stopped run: as far as it got
    label = f"{job.name}{on} · {epochs:g} epochs · {snap.test_accuracy:.1%}"
    meta = {"activation": network.activation, "output": network.output,
            **train_metadata(job.config, None, snap.test_accuracy, job.trainer)}
    key = f"trained:{id(job)}:{snap.finished_runs}"
    state.add_session_model(ModelEntry(key, label, network, meta, initial=job.initial))
    job.registered_runs = snap.finished_runs
    return True


def session_connected():
    """A thread-safe check that the current browser session is still connected to the server."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: bool(runtime.is_active_session(session_id))


