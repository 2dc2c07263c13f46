"""Bad input, page by page: every case gets a clear message, no traceback, and the current model is kept.

Each test here is one line of RELIABILITY.md.
"""
import io
import tomllib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.io import model_bytes
from core.nn.network import Network
from tests.test_io import npz, valid_arrays, zip_bomb_header
from tests.test_pages import open_page, picker, png_bytes
from tests.test_weights import WEIGHTS


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=90).run()


def uploader(at, key):
    return next(u for u in at.get("file_uploader") if u.proto.id.endswith(f"-{key}"))


def current(at) -> str:
    return picker(at).value


def shown_errors(at) -> str:
    return " ".join(e.value for e in at.error)


# --- model uploads (sidebar) -------------------------------------------------------------
class Boom:
    def __reduce__(self):
        return (open, ("pwned-by-upload", "w"))


def pickled_npz() -> bytes:
    arrays = valid_arrays()
    arrays["W1"] = np.array([Boom()], dtype=object)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


MODEL_CASES = {
    "not a zip": (b"just some text", "This is not a model file"),
    "empty": (b"", "This is not a model file"),
    "truncated": (model_bytes(Network.create((8,)))[:500], "not a model file|damaged or truncated"),
    "pickled object": (pickled_npz(), "holds Python objects"),
    "wrong chain": (npz(**{**valid_arrays(), "W1": np.zeros((100, 3), np.float32)}), "must chain 784"),
    "NaN values": (npz(**{**valid_arrays(), "b1": np.full(3, np.nan, np.float32)}), "NaN or infinite"),
    "zip bomb header": (zip_bomb_header(), "refused before decompressing"),
    "wrong file type": (png_bytes(np.zeros((28, 28), np.uint8)), "This is not a model file"),  # a picture renamed .npz
}


@pytest.mark.parametrize("case", MODEL_CASES)
def test_a_bad_model_upload_is_explained_and_the_current_model_kept(app, case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    raw, message = MODEL_CASES[case]
    uploader(app, "model_upload").set_value((f"{case}.npz", raw, "application/octet-stream")).run()
    assert not app.exception
    import re
    assert re.search(message, shown_errors(app)), shown_errors(app)
    assert current(app) == "shipped:fast"
    assert list(tmp_path.iterdir()) == []  # nothing ran, nothing was written


def test_a_good_model_upload_becomes_current(app):
    uploader(app, "model_upload").set_value(("mine.npz", (WEIGHTS / "nielsen-30.npz").read_bytes(),
                                             "application/octet-stream")).run()
    assert current(app).startswith("uploaded:") and "784 → 30 → 10" in app.sidebar.caption[0].value


# --- image uploads (Draw page) -------------------------------------------------------------
def png(img: Image.Image, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def seven(mode="L", ink=255, background=0) -> Image.Image:
    img = Image.new(mode, (120, 160), background)
    img.paste(ink, (20, 20, 100, 36))
    for t in range(12):
        img.paste(ink, (84 - t * 5, 36 + t * 10, 98 - t * 5, 50 + t * 10))
    return img


IMAGE_CASES = {
    "not an image": (b"GIF89a but not really", "not a PNG or JPEG picture"),
    "1x1": (png(Image.new("L", (1, 1))), "Nothing drawn"),
    "fully transparent": (png(Image.new("RGBA", (50, 50), (255, 255, 255, 0))), "Nothing drawn"),
    "12000x12000": (png(Image.new("1", (12000, 12000)))[:300], "12,000 × 12,000 pixels"),
}


def draw_upload(at, name, raw):
    open_page(at, "draw")
    at.segmented_control(key="draw_source").set_value("upload").run()
    uploader(at, "draw_upload").set_value((name, raw, "image/png")).run()
    assert not at.exception


@pytest.mark.parametrize("case", IMAGE_CASES)
def test_a_bad_image_upload_is_explained(app, case):
    raw, message = IMAGE_CASES[case]
    draw_upload(app, f"{case}.png", raw)
    said = shown_errors(app) + " ".join(i.value for i in app.info)
    assert message in said, said
    assert not app.metric  # no invented prediction


@pytest.mark.parametrize("img, fmt", [
    (seven(), "PNG"), (seven(ink=0, background=255), "JPEG"), (seven().convert("P"), "PNG"),
    (seven("CMYK", (0, 0, 0, 255), (0, 0, 0, 0)), "JPEG"), (seven("I;16", 65535, 0), "PNG"),
], ids=["white on black", "black on white", "palette", "CMYK", "16-bit"])
def test_every_picture_mode_is_read_as_the_same_digit(app, img, fmt):
    draw_upload(app, f"seven.{fmt.lower()}", png(img, fmt))
    assert app.metric[0].value == "7"


# --- CSV uploads (Evaluate page) -------------------------------------------------------------
def csv_text(rows, labels=True) -> bytes:
    header = (["label"] if labels else []) + [f"pixel{i}" for i in range(784)]
    return ("\n".join([",".join(header)] + [",".join(map(str, r)) for r in rows]) + "\n").encode()


CSV_CASES = {
    "empty": (b"", "empty"),
    "header only": (csv_text([]), "no images"),
    "wrong columns": (b"id,a,b\n1,2,3\n", "header must be"),
    "non-numeric": (csv_text([[1, "dark"] + [0] * 783]), "not a whole number"),
    "values over 255": (csv_text([[1, 300] + [0] * 783]), "between 0 and 255"),
    "label 12": (csv_text([[12] + [0] * 784]), "digits from 0 to 9"),
    "too many rows": (csv_text([[0] * 785] * 10_001), "more than 10,000 rows"),
}


def evaluate_csv(at, raw):
    open_page(at, "evaluate")
    uploader(at, "eval_csv").set_value(("digits.csv", raw, "text/csv")).run()
    assert not at.exception


@pytest.mark.parametrize("case", CSV_CASES)
def test_a_bad_csv_is_explained(app, case):
    raw, message = CSV_CASES[case]
    evaluate_csv(app, raw)
    assert message in shown_errors(app), shown_errors(app)


def test_a_good_csv_is_scored_like_the_test_set(app, mnist_test):
    from core.io import load_model
    images = (mnist_test[0][:300] * 255).round().astype(np.uint8)
    labels = mnist_test[1][:300]
    evaluate_csv(app, csv_text([[int(l), *img] for img, l in zip(images, labels)]))
    network, _ = load_model(WEIGHTS / "fast.npz")
    P = network.predict_proba(images.reshape(300, 784) / 255.0)  # pixels scaled to [0, 1] as in training
    assert any(m.value == f"{np.mean(P.argmax(1) == labels):.2%}" for m in app.metric)
    np.testing.assert_allclose(app.dataframe[-1].value["confidence"], P.max(1)[:200].round(3), atol=1.01e-3)
    evaluate_csv(app, csv_text([list(img) for img in images[:5]], labels=False))  # no labels: predictions only
    assert app.dataframe[-1].value["Label"].tolist() == network.predict(images[:5] / 255.0).tolist()


# --- training settings (Train page) ----------------------------------------------------------
def test_a_zero_learning_rate_is_refused_before_starting(app):
    open_page(app, "train")
    app.number_input(key="train_lr").set_value(0.0).run()
    assert "must be above 0" in shown_errors(app) and app.button[0].disabled


def test_absurd_epochs_are_refused_with_the_limit(app):
    open_page(app, "train")
    app.number_input(key="train_epochs").set_value(400).run()
    assert "At most 50 epochs with mini-batches" in shown_errors(app) and app.button[0].disabled


def test_start_pressed_twice_keeps_one_training():
    # A double click sends two Start clicks before the page redraws with Start disabled.
    at = AppTest.from_string("""
import streamlit as st
from core.presets import TrainConfig
from ui.training import start_training
config = TrainConfig(hidden=(8,), epochs=50, train_size=40000)
first, second = start_training(config), start_training(config)
st.text(f"{first is second} {first.name} {st.session_state['run_count']}")
first.stop()
first.wait()
""", default_timeout=60).run()
    assert not at.exception
    assert at.text[0].value == "True Run 1 1"


def test_a_second_training_after_the_first_is_a_new_run(app):
    open_page(app, "train")
    app.select_slider(key="train_size").set_value(500).run()
    app.number_input(key="train_epochs").set_value(1).run()
    for run in (1, 2):
        app.button[0].click().run()
        job = app.session_state["training_job"]
        job.wait()
        app.run()
        assert job.name == f"Run {run}" and job.status == "done"
    options = picker(app).options
    assert sum(o.startswith("Run ") for o in options) == 2  # both runs are kept as models


def test_a_busy_server_neither_collects_garbage_after_every_run_nor_watches_its_files():
    """Streamlit's defaults cost a class most of the server: a full garbage collection after every script run (55 %
    of the script runs' time with 20 learners) and a walk over every module's file after each (RELIABILITY.md, "A
    class at once, without browsers")."""
    config = tomllib.loads((Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert config["server"]["fileWatcherType"] == "none"
