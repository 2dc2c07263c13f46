"""Fashion-MNIST, the second dataset: every page works on it, with its own test set and class names."""
import io

import numpy as np
import pytest
from PIL import Image

from core.data import DATASETS, load_dataset
from core.io import load_model
from core.preprocess import prepare_clothing
from tests.test_pages import TIMEOUT, images_in, open_page, picker
from tests.test_reliability import uploader
from ui.numbers import percent
from tests.test_weights import WEIGHTS

CLASSES = DATASETS["fashion-mnist"].classes


@pytest.fixture(scope="module")
def fashion_test():
    return load_dataset("fashion-mnist", "test")


@pytest.fixture
def clothes():
    """The app with the shipped dense Fashion-MNIST model as the current one."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    box = picker(at)
    box.set_value(next(o for o in box.options if o.startswith("fashion-fast"))).run()
    assert not at.exception
    return at


def test_the_explorer_opens_on_the_current_models_dataset_with_its_class_names(clothes, fashion_test):
    open_page(clothes, "explore")
    assert clothes.title[0].value == "The Fashion-MNIST dataset"
    counts = clothes.dataframe[0].value
    assert counts["item of clothing"].tolist() == list(CLASSES) and counts["images"].sum() == 60000
    clothes.segmented_control(key="explore_split").set_value("test").run()
    best = load_model(WEIGHTS / "fashion-cnn.npz")[1]["test_accuracy"]
    assert any(f"fashion-cnn** ({best:.2%}" in m.value for m in clothes.markdown)  # its best model, not cnn-99
    captions = [caption for caption, _ in images_in(clothes, "ambiguous")]
    index = int(captions[0].split(":")[0].removeprefix("#"))
    assert captions[0].startswith(f"#{index}: {CLASSES[fashion_test[1][index]]} → ")


def test_evaluate_measures_a_fashion_model_on_fashion_test_images(clothes, fashion_test):
    open_page(clothes, "evaluate")
    network, meta = load_model(WEIGHTS / "fashion-fast.npz")
    images, labels = fashion_test
    accuracy = float(np.mean(network.predict(images.reshape(10000, -1) / 255.0) == labels))
    assert clothes.metric[0].value == f"{accuracy:.2%}" and accuracy == pytest.approx(meta["test_accuracy"], abs=5e-5)
    assert any("reads photos of clothes" in i.value for i in clothes.info)
    options = [o for box in clothes.selectbox if box.label == "Convolutional network" for o in box.options]
    assert options and all("fashion" in o for o in options)  # the shift experiment compares models of clothes


def test_draw_says_it_reads_clothes_and_reads_a_photo_of_one(clothes, fashion_test):
    open_page(clothes, "draw")
    assert clothes.title[0].value == "Show it a piece of clothing"
    assert any("not digits" in i.value for i in clothes.info) and not clothes.get("bidi_component")  # no canvas
    clothes.segmented_control(key="draw_source_fashion-mnist").set_value("upload").run()
    trouser = fashion_test[0][2]                                     # test image 2 is a trouser (label 1)
    photo = Image.fromarray(255 - np.kron(trouser, np.ones((6, 6), np.uint8)))  # dark on a light background
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    uploader(clothes, "draw_upload").set_value(("trousers.png", buffer.getvalue(), "image/png")).run()
    assert not clothes.exception
    network, _ = load_model(WEIGHTS / "fashion-fast.npz")
    p = network.predict_proba(prepare_clothing(np.asarray(photo)).x[None])[0]   # made as Fashion-MNIST made its images
    assert clothes.metric[0].value == CLASSES[p.argmax()] == "Trouser"
    assert clothes.metric[0].delta == f"{percent(float(p.max()))} confident"
    assert any("Fashion-MNIST images" in c.value for c in clothes.caption)


def test_a_class_link_trains_on_fashion_mnist_and_the_run_remembers_it():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    at.query_params.update({"data": "fashion-mnist", "hidden": "16", "epochs": "1", "images": "1000"})
    at.run()
    open_page(at, "train")
    assert at.selectbox(key="train_dataset").value == "fashion-mnist"
    at.selectbox(key="train_preset").set_value("fast").run()  # a preset keeps the learner's dataset
    assert at.selectbox(key="train_dataset").value == "fashion-mnist"
    at.text_input(key="train_hidden").set_value("16")
    at.select_slider(key="train_size").set_value(1000)
    at.number_input(key="train_epochs").set_value(1).run()
    at.button[0].click().run()
    job = at.session_state["training_job"]
    job.wait(120)
    at.run()
    assert job.status == "done" and job.config.dataset == "fashion-mnist"
    images, labels = load_dataset("fashion-mnist", "test")
    assert job.test_accuracy == pytest.approx(job.trainer.network.accuracy(images.reshape(10000, -1) / 255.0, labels))
    current = at.session_state["session_models"]
    entry = next(m for m in current.values() if m.key.startswith("trained:"))
    assert entry.meta["dataset"] == "fashion-mnist" and "Fashion-MNIST" in entry.label
