"""Train on your own data, through the pages: upload, train, the model it makes, and every page with it current."""
import gzip

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import to_inputs
from core.io import load_model
from pages.sections.train_live import model_file
from pages.sections.train_own_data import UPLOAD_KEY
from tests.test_owndata import csv_bytes, idx_bytes
from tests.test_pages import TIMEOUT, open_page, picker
from tests.test_reliability import uploader

ROWS = 600  # 480 train, 60 validate, 60 test
PAGES = ["home", "explore", "one_neuron", "weights", "draw", "how_it_works", "evaluate", "lab", "tutorials", "train"]


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()


@pytest.fixture(scope="module")
def mine(mnist_train):
    """600 MNIST training images from the middle of the set, as the learner's own file."""
    return mnist_train[0][30000:30000 + ROWS], mnist_train[1][30000:30000 + ROWS]


def upload(at, *files):
    open_page(at, "train")
    uploader(at, UPLOAD_KEY).set_value([(name, raw, "application/octet-stream") for name, raw in files]).run()
    assert not at.exception, [e.value for e in at.exception]


def train_on_upload(at):
    at.text_input(key="train_hidden").set_value("32").run()
    at.number_input(key="train_epochs").set_value(3).run()
    assert not at.button[0].disabled
    at.button[0].click().run()  # Start
    job = at.session_state["training_job"]
    job.wait(120)
    at.run()  # the live fragment polls (run_every timers do not fire in AppTest)
    assert job.status == "done", job.message
    return job


def test_a_csv_upload_trains_on_its_own_split_and_its_model_records_the_data(app, mine):
    images, labels = mine
    upload(app, ("mine.csv", csv_bytes(images, labels)))
    shown = " ".join(s.value for s in app.success)
    assert "**mine.csv** (Kaggle CSV): 600 images, 480 to train, 60 to validate, 60 held out to test" in shown
    own = app.session_state["own_data"][1]
    assert f"`{own.sha256[:16]}…`" in shown
    assert any("Estimated training time" in c.value and "of 480 images" in c.value for c in app.caption)
    job = train_on_upload(app)
    assert job.train_images == 480 and len(job.trainer.history[-1:]) == 1
    (_, _), (test_images, test_labels) = own.split()
    assert job.test_accuracy == job.trainer.network.accuracy(to_inputs(test_images), test_labels)  # its own 60
    assert any("of the 60 held-out images of mine.csv are read correctly" in s.value for s in app.success)
    model = app.session_state["session_models"][picker(app).value]  # the run is the current model
    assert "upload:mine.csv" in model.label and f"{job.test_accuracy:.1%}" in model.label
    assert model.meta["upload"] == own.record() and model.meta["upload"]["sha256"] == own.sha256
    assert model.meta["config"]["train_size"] == 480 and model.meta["config"]["val_size"] == 60
    assert app.get("download_button")
    _, saved = load_model(model_file(job, job.snapshot()))  # the file behind the download button
    assert saved["upload"] == own.record() and saved["dataset"] == "mnist"
    assert (f"MNIST test accuracy **{model.test_accuracy:.2%}** · on its own held-out images **{job.test_accuracy:.2%}**"
            in app.sidebar.caption[0].value)
    other = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()  # another session, given the file
    uploader(other, "model_upload").set_value(("run.npz", model_file(job, job.snapshot()), "application/zip")).run()
    open_page(other, "evaluate")
    assert any("learned from your own data, mine.csv (600 images)" in i.value for i in other.info)
    for page in PAGES:  # every page runs with it current
        open_page(app, page)
        assert picker(app).value == model.key
    open_page(app, "evaluate")
    assert any("learned from your own data, mine.csv (600 images); on its 60 held-out images it read "
               f"{job.test_accuracy:.2%}" in i.value and "MNIST's 10,000 test digits" in i.value for i in app.info)


def test_an_idx_pair_trains_too(app, mine):
    images, labels = mine
    upload(app, ("train-images-idx3-ubyte.gz", gzip.compress(idx_bytes(images))), ("train-labels-idx1-ubyte", idx_bytes(labels)))
    assert any("(IDX pair): 600 images" in s.value for s in app.success)
    job = train_on_upload(app)
    assert job.upload["format"] == "IDX pair" and job.upload["rows"] == 600 and job.train_images == 480


def test_a_bad_csv_shows_its_message_and_start_waits(app, mine):
    images, labels = mine
    bad = csv_bytes(images[:150], labels[:150]).replace(b"\r\n7,", b"\r\n12,", 1)  # one label out of range
    upload(app, ("bad.csv", bad))
    line = 2 + int(np.flatnonzero(labels[:150] == 7)[0])
    assert [e.value for e in app.error] == [f"Your file was not used: bad.csv: Line {line} has the label 12: labels "
                                            "must be digits from 0 to 9. Fix it, or remove it to train on the dataset."]
    assert app.button[0].disabled  # Start
    assert "training_job" not in app.session_state
    assert "784 → 256 → 10" in app.sidebar.caption[0].value  # the current model did not change


def test_removing_the_file_goes_back_to_the_dataset_and_presenter_mode_hides_the_upload(app, mine):
    images, labels = mine
    upload(app, ("mine.csv", csv_bytes(images, labels)))
    assert any("of 480 images" in c.value for c in app.caption)  # the estimate counts the upload's images
    uploader(app, UPLOAD_KEY).set_value([]).run()
    assert "own_data" not in app.session_state and not app.success
    assert any("of 55,000 images" in c.value for c in app.caption)  # the dataset setting again
    assert any(e.label.startswith("Train on your own data") for e in app.expander)
    app.sidebar.toggle(key="presenter_mode").set_value(True).run()
    assert not any(e.label.startswith("Train on your own data") for e in app.expander)


def test_a_downloaded_model_records_the_dataset_it_learned_from(app):
    """The file behind the download button once recorded only the settings: a Fashion-MNIST model loaded as MNIST."""
    open_page(app, "train")
    app.selectbox(key="train_dataset").set_value("fashion-mnist")
    app.select_slider(key="train_size").set_value(500).run()
    job = train_on_upload(app)
    _, saved = load_model(model_file(job, job.snapshot()))
    assert saved["dataset"] == "fashion-mnist" and "upload" not in saved
    assert saved["history"]["val_accuracy"] == [round(e.val_accuracy, 5) for e in job.trainer.history]
