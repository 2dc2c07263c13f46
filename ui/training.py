"""This server's side of trainings: one job (jobs.training) per session, its slots, its estimate, what it shows.

The Train page polls the session's job with a fragment; the sidebar of every page registers a finished run as
a model of the session.
"""
import os
import secrets

import streamlit as st

from core.data import DATASETS
from core.owndata import BASE_DATASET, OwnData
from core.presets import TrainConfig
from core.training import estimate_seconds, train_metadata
from jobs import slots
from jobs.state import Snapshot
from jobs.training import TrainingJob

RUN_PARAM = "training"  # in the Train page's address while it trains: the server process that runs the training


@st.cache_resource
def training_slots() -> slots.ServerSlots | slots.MachineSlots:
    return slots.training_slots()


@st.cache_data(ttl=600, max_entries=100, show_spinner=False)
def estimated_seconds(config: TrainConfig) -> float:
    """Seconds of one core's work `config` needs (processor time, steady whatever the load; see
    core.training.estimate_seconds), measured afresh every ten minutes."""
    return estimate_seconds(config, config.train_size)


def load_factor() -> float:
    """How many times longer than its processor time a training takes now, at most: the processes that want a
    core (the load average of the last minute) per core of this server, 1 when a core is free."""
    return max(1.0, os.getloadavg()[0] / slots.cores())


@st.cache_resource
def server_token() -> str:
    """A random name for this server process: a page address naming another one was made before a restart."""
    return secrets.token_hex(4)


def start_training(config: TrainConfig, own: OwnData | None = None) -> "TrainingJob":
    """Start this session's training job (named Run 1, Run 2, ...) on the shared training images, or on the
    learner's own data (its config made by own.training_config) and tested on its held-out 10 %.

    One training per session: while one runs, a second Start (a double click) returns the running one.
    """
    from ui import state
    from ui.resources import dataset
    running = state.training_job()
    if running is not None and running.active:
        return running
    if own:
        train, test = own.split()
    else:
        data = dataset(config.dataset)
        train, test = (data.train_images, data.train_labels), (data.test_images, data.test_labels)
    job = TrainingJob(config, train, test, training_slots(), session_connected())
    job.name = f"Run {state.next_run_number()}"
    job.upload = own.record() if own else None
    state.set_training_job(job)
    return job


def run_metadata(job: "TrainingJob", test_accuracy: float) -> dict:
    """What the model of a finished run records: its settings and curve, and its uploaded data, if any."""
    return {"activation": job.trainer.network.activation, "output": job.trainer.network.output,
            **train_metadata(job.config, None, test_accuracy, job.trainer),
            **({"upload": job.upload} if job.upload else {})}


def tested_on(job: "TrainingJob") -> str:
    """The images its test accuracy counts, in words."""
    if job.upload:
        return f"the {job.upload['test']:,} held-out images of {job.upload['file']}"
    return "the 10,000 test images"


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
    on = (f" · {job.upload['source']}" if job.upload
          else "" if job.config.dataset == "mnist" else f" · {DATASETS[job.config.dataset].title}")
    epochs = snap.latest.epoch if snap.latest else job.trainer.epochs_done   # a stopped run: as far as it got
    label = f"{job.name}{on} · {round(epochs, 2):g} epochs · {snap.test_accuracy:.1%}"
    meta = run_metadata(job, snap.test_accuracy)
    key = f"trained:{id(job)}:{snap.finished_runs}"
    state.add_session_model(ModelEntry(key, label, network, meta, initial=job.initial))
    job.registered_runs = snap.finished_runs
    return True


def own_data_note(model) -> str | None:
    """For a model of the learner's own data: what it learned from, and which test set the pages use."""
    upload = model.upload
    if upload is None:
        return None
    own = model.meta.get("test_accuracy")
    held_out = f"; on its {upload['test']:,} held-out images it read {own:.2%}" if isinstance(own, float) else ""
    return (f"**{model.name}** learned from your own data, {upload['file']} ({upload['rows']:,} images){held_out}. "
            f"Its labels are read as digits 0-9, so the pages measure it on {DATASETS[BASE_DATASET].title}'s "
            f"{model.data.test_labels.size:,} test digits, like every other model.")


def session_connected():
    """A thread-safe check that the current browser session is still connected to the server."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: bool(runtime.is_active_session(session_id))


