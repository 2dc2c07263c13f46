"""The sidebar every page shares: the current model, uploading a model, and the training status."""
import streamlit as st

from core.io import ModelFileError, load_model
from ui import state
from ui.resources import ModelEntry, shipped_models
from ui.shell import presenter_toggle
from ui.training import progress_text, register_finished_run

STATUS_POLL = 2.0  # seconds between sidebar training-status refreshes (they also keep the training alive)


def sidebar(page: str):
    """`page`: the address of the page shown (the Train page shows a training's progress itself)."""
    with st.sidebar:
        with st.container():  # one element, however many the picker shows (a progress bar while a new model is
            model_picker()    # measured): the upload expander after it keeps its place, so it stays open
        if not state.presenting():
            model_upload()
        job = state.training_job()
        if job is not None and page != "train":  # polls while it trains (heartbeat, progress); done: no timer
            st.fragment(run_every=STATUS_POLL if job.active else None)(training_status)()
        for problem in shipped_models()[1]:
            st.warning(f"A shipped model could not be loaded: {problem}", icon=":material/warning:")
        presenter_toggle()


def model_picker():
    models = state.all_models()
    if not models:
        st.error("No model is available: the files in weights/ are missing. Train one on the Train page.")
        return
    key, index = state.picker(models)
    choice = st.selectbox("Current model", list(models), index=index, key=key, format_func=lambda k: models[k].label,
                          on_change=state.choose, args=(key,),
                          help="Every page uses this model. Models you train or upload join the list.")
    entry = models[choice]
    tested = f"test accuracy **{entry.test_accuracy:.2%}**"
    if entry.upload is not None and isinstance(own := entry.meta.get("test_accuracy"), float):
        tested = f"{entry.data.info.title} {tested} · on its own held-out images **{own:.2%}**"
    st.caption(f"{entry.architecture} · {entry.network.activation} · {entry.network.output} output  \n{tested}")


def model_upload():
    with st.expander("Upload a model (.npz)", icon=":material/upload:"):
        upload = st.file_uploader("A model saved by this app or `python -m core.train`", type=["npz"],
                                  key="model_upload")
        if upload is None:
            return
        if st.session_state.get(state.UPLOADED) == upload.file_id:
            st.success(f"{upload.name} is loaded.")
            return
        try:
            network, meta = load_model(upload)
        except ModelFileError as err:
            st.error(f"{upload.name} was not loaded: {err}", icon=":material/error:")
            return
        name = upload.name.removesuffix(".npz")
        key = f"uploaded:{upload.file_id}"
        state.add_session_model(ModelEntry(key, f"{name} (uploaded)", network, meta))
        st.session_state[state.UPLOADED] = upload.file_id
        st.rerun()


def training_status():
    job = state.training_job()
    if job is None:
        return
    job.touch()
    if register_finished_run(job):
        st.rerun()  # the whole app: the picker and the page use the new model
    snap = job.snapshot()
    if snap.status in job.ACTIVE:
        st.info(f"{job.name} {snap.status}: {progress_text(snap)}", icon=":material/model_training:")
