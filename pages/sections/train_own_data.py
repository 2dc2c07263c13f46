"""The Train page's own-data part: upload a Kaggle CSV or an IDX pair, see it checked, and train on it.

The upload lives in this session only: it is never in the page address (a class link carries the dataset
setting, never a learner's file), and it goes when the learner removes the file or leaves the page.
"""
import streamlit as st

from core.data import DataError
from core.owndata import MAX_FILE_BYTES, MAX_ROWS, MIN_ROWS, OwnData, read_upload
from ui import state
from ui.images import digit_grid

UPLOAD_KEY = "own_data_files"
PREVIEW = 10  # the first images of the upload, shown with their labels


def own_data(config, problem: str | None, disabled: bool) -> tuple:
    """The upload's part of the page: (config made for the upload, problem, its OwnData), (config, problem, None)
    without one, or (None, why the file was refused, None): Start waits until it is right or removed."""
    if state.presenting():
        return config, problem, None  # presenter mode hides uploads
    with st.expander("Train on your own data: a Kaggle CSV or an IDX pair", icon=":material/upload_file:",
                     expanded=bool(st.session_state.get(UPLOAD_KEY))):
        st.markdown(f"Upload a CSV in the Kaggle *digit recognizer* layout, `label,pixel0,…,pixel783` (the header "
                    f"line is optional), or an IDX pair as MNIST ships it: an images file (N × 28 × 28 bytes) and its "
                    f"labels file. Labels are digits 0-9, pixels whole numbers 0-255; {MIN_ROWS:,} to {MAX_ROWS:,} "
                    f"images, at most {MAX_FILE_BYTES // 2**20} MB a file: gzip a bigger one (Kaggle's 73 MB "
                    "`train.csv` is 9 MB as `train.csv.gz`). A seeded 10 % is held out to test the model and "
                    "another 10 % validates it after every epoch; the rest trains it. Your file stays in this "
                    "session: the page address, a class link, never carries it.")
        files = st.file_uploader("A .csv file, or two IDX files", accept_multiple_files=True, key=UPLOAD_KEY,
                                 disabled=disabled)
        own = checked_upload(files)
        if isinstance(own, str):
            return None, problem or f"Your file was not used: {own} Fix it, or remove it to train on the dataset.", None
        if own is None:
            return config, problem, None
        show(own)
    return (own.training_config(config) if config else None), problem, own


def checked_upload(files: list) -> OwnData | str | None:
    """The upload read and checked once per set of files (kept in the session), or why it was refused."""
    if not files:
        st.session_state.pop(state.OWN_DATA, None)
        return None
    ids = tuple(f.file_id for f in files)
    if st.session_state.get(state.OWN_DATA, (None,))[0] != ids:
        try:
            with st.spinner("Reading and checking your data (a Kaggle CSV takes about 0.2 ms an image)…"):
                result = read_upload([(f.name, f.getvalue()) for f in files])
        except DataError as err:
            result = str(err)
        st.session_state[state.OWN_DATA] = (ids, result)
    return st.session_state[state.OWN_DATA][1]


def show(own: OwnData):
    record = own.record()
    st.success(f"**{own.file}** ({own.format}): {record['rows']:,} images, {record['train']:,} to train, "
               f"{record['validation']:,} to validate, {record['test']:,} held out to test. SHA-256 of its pixels "
               f"and labels: `{own.sha256[:16]}…`. **Start** trains on it instead of the *Dataset* and *Training "
               "images* settings, reading its labels as digits 0-9; remove the file to train on the dataset again.",
               icon=":material/check_circle:")
    st.html(digit_grid(own.images[:PREVIEW] / 255, [f"label {label}" for label in own.labels[:PREVIEW]], PREVIEW,
                       max_width=600))
