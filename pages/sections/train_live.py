"""The Train page's live view: how far the training is, its curves, what the network now reads, the living diagram,
its first layer.

Each part is drawn by a fragment that the page re-runs on a timer while it trains; everything comes from one
snapshot of the job, so the numbers on screen agree with each other (and with the sidebar's, see
ui.training.progress_text).
"""
import numpy as np
import streamlit as st

from core.data import DATASETS
from core.io import model_bytes
from core.nn.shapes import as_images
from jobs.state import Status
from jobs.training import TrainingJob
from pages.sections.living_diagram import show_living_diagram
from pages.sections.train_layer_stats import show_layer_stats
from serving.bundle import predictor_zip
from ui import charts, state, tiles
from ui.convolution import first_layer_tiles
from ui.images import png_data_url
from ui.resources import dataset, freeze
from ui.shell import show_chart
from ui.training import progress_text, register_finished_run, run_metadata, tested_on

NEURONS_SHOWN = 36  # first-layer neurons drawn live
DIGIT_SCALE = 2     # the digits the network reads live are drawn 56 px wide, each pixel a 2×2 square


def live_view(drawn_while_active: bool):
    """Status and curves (every second while it trains); the whole page reruns once the training has ended."""
    job = state.training_job()
    if job is None:
        no_training_yet()
        return
    job.touch()
    if register_finished_run(job) or (drawn_while_active and not job.active):
        st.rerun()  # the whole app: the sidebar shows the new current model, the page its settings again
    snap = job.snapshot()
    show_status(job, snap)
    if snap.latest is None:
        return
    loss_col, acc_col = st.columns(2)
    with loss_col:
        log_scale = st.toggle("Log scale", key=state.kept("loss_log_scale", True),
                              help="On a log scale the first steps' loss does not flatten the rest.")
        show_chart(charts.loss_curve(snap.step_epochs, snap.step_losses, snap.epochs, log_scale), key="loss_chart")
    with acc_col:
        if snap.epochs:
            show_chart(charts.accuracy_curve(snap.epochs), key="accuracy_chart")
        else:
            st.caption("Train and validation accuracy appear after the first epoch.")
    show_layer_stats(snap)


def no_training_yet():
    if st.session_state.get(state.LOST_TRAINING):
        st.warning("The training this page was showing was lost: the server process that ran it stopped (a restart, "
                   "or another process took over). The settings are kept; press **Start** to train again.",
                   icon=":material/restart_alt:")
    else:
        st.info("No training yet in this session. The charts appear here when you press **Start**.",
                icon=":material/info:")


def show_status(job: TrainingJob, snap):
    latest = snap.latest
    if snap.status in (Status.DIVERGED, Status.FAILED):
        st.error(snap.message, icon=":material/error:")
    elif snap.status in (Status.QUEUED, Status.PAUSED) or (snap.status == Status.STOPPED and snap.message
                                                           and snap.test_accuracy is None):
        st.warning(snap.message, icon=":material/hourglass_top:" if snap.status == Status.QUEUED else ":material/pause:")
    if latest is not None:
        st.progress(min(latest.epoch / snap.planned_epochs, 1.0), text=progress_text(snap))
        last_epoch = snap.epochs[-1] if snap.epochs else None
        cols = st.columns(4)
        cols[0].metric("Batch loss", f"{latest.batch_loss:.4f}")
        cols[1].metric("Train accuracy", f"{last_epoch.train_accuracy:.2%}" if last_epoch else "–")
        cols[2].metric("Validation accuracy", f"{last_epoch.val_accuracy:.2%}" if last_epoch else "–")
        cols[3].metric("Learning rate", f"{latest.learning_rate:.3g}")
    if snap.test_accuracy is not None and snap.status in (Status.DONE, Status.STOPPED):
        ended = "Finished" if snap.status == Status.DONE else f"Stopped at epoch {latest.epoch:.2f}"
        st.success(f"{ended}: **{snap.test_accuracy:.2%}** of {tested_on(job)} are read correctly. "
                   "This model is now the current one on every page.", icon=":material/check_circle:")
        stem = job.name.replace(' ', '-').lower()
        st.download_button("Download the model (.npz)", lambda: model_file(job, snap),  # made on click
                           file_name=f"{stem}.npz", icon=":material/download:")
        st.download_button("Download for ONNX Runtime (.onnx)", lambda: onnx_export(model_file(job, snap), job.name),
                           file_name=f"{stem}.onnx", icon=":material/download:",
                           help="The same network as an ONNX graph: pixels (N, 784) in [0, 1] in, probabilities out.")
        st.download_button("Download a standalone predictor (.zip)", lambda: predictor_zip(model_file(job, snap), stem),
                           file_name=f"{stem}-predictor.zip", icon=":material/download:",
                           help="predict.py beside the model: `python predict.py digit.png` needs only NumPy (Pillow).")


def model_file(job: TrainingJob, snap) -> bytes:
    """The finished model as a file, made once per run when first asked for (bytes passed at every poll made
    Streamlit replace the file a browser was about to fetch: a 404)."""
    if job.model_file[0] != snap.finished_runs:
        job.model_file = (snap.finished_runs, model_bytes(job.trainer.network, run_metadata(job, snap.test_accuracy)))
    return job.model_file[1]


def live_pictures():
    """What the network reads, its living diagram and its first layer, as they change: redrawn less often than the
    curves (a picture is many times their size), from the copy of the network the training process sends twice a
    second."""
    job = state.training_job()
    network = job.snapshot(with_weights=True).network if job is not None else None
    if network is None:
        return
    what_it_reads(network, job.config.dataset)
    live_diagram(network, job.config.dataset)
    images, _, what = first_layer_tiles(network, NEURONS_SHOWN)
    show_chart(tiles.mosaic(images, 12, diverging=True, width=800 if len(images) > 8 else 500,
                            title=f"{len(images)} {what}, as they learn"), key="live_neurons")
    st.caption(f"Numbered 0 to {len(images) - 1}, left to right and row by row; the Weights page names each one "
               "on hover.")


@st.cache_resource
def fixed_digits(dataset_name: str) -> tuple:
    """The first test image of each class 0-9: inputs X (10, 784), labels (10,), pictures (data URLs)."""
    data = dataset(dataset_name)
    rows = [int(np.flatnonzero(data.test_labels == k)[0]) for k in range(10)]
    pictures = [png_data_url(data.test_images[i] / 255, DIGIT_SCALE) for i in rows]
    X, labels = data.X_test[rows], data.test_labels[rows]
    freeze(X, labels)  # shared by every session
    return X, labels, pictures


def live_diagram(network, dataset_name: str):
    """The living diagram of the network as it learns: the learner's last drawing, else test image #0."""
    drawing = st.session_state.get(state.LAST_DIGIT) if dataset_name == "mnist" else None  # (784,) in [0, 1]
    data = dataset(dataset_name)
    x = drawing if drawing is not None else data.X_test[0]
    st.markdown("**Inside it now**, for " + ("your last digit" if drawing is not None else
                f"test image #0, a {DATASETS[dataset_name].classes[data.test_labels[0]]}") + ": the colours follow "
                "the learning")
    show_living_diagram(network, x, "live_diagram", DATASETS[dataset_name].classes, clickable=False, height=380)


def what_it_reads(network, dataset_name: str):
    """The network's answer for ten fixed test images and, for digits, the learner's last drawing."""
    X, labels, pictures = fixed_digits(dataset_name)
    drawing = st.session_state.get(state.LAST_DIGIT) if dataset_name == "mnist" else None  # (784,) in [0, 1]
    if drawing is not None:
        X = np.vstack([X, drawing[None, :]])
        pictures = [*pictures, png_data_url(as_images(drawing), DIGIT_SCALE)]
    P = network.predict_proba(X)  # (10 or 11, 10)
    st.markdown(f"**What it reads now:** a test image of each {DATASETS[dataset_name].item} class"
                + (" and your last digit from Draw & predict" if drawing is not None else ""))
    for k, (column, p, picture) in enumerate(zip(st.columns(11), P, pictures)):
        guess = int(p.argmax())
        colour = "blue" if k >= len(labels) else "green" if guess == labels[k] else "red"
        column.image(picture, width=28 * DIGIT_SCALE)
        column.markdown(f":{colour}[**{DATASETS[dataset_name].classes[guess]}**] {p[guess]:.0%}")
    if drawing is None:
        st.caption("Draw a digit on Draw & predict: it joins this row.")


def onnx_export(model_bytes: bytes, name: str) -> bytes:
    """The ONNX file, made on click; `onnx` (about 1 s and 18 MB to import) loads then, not with the Train page."""
    from serving.export import onnx_file
    return onnx_file(model_bytes, name)
