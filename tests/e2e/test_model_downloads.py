"""In headless Chromium: a finished training offers the model as .npz, as ONNX and as a standalone predictor, and each
download is that model (the ONNX file gives its probabilities in ONNX Runtime; the zip holds predict.py beside it)."""
import io
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime

from core.data import load_dataset, to_inputs
from core.io import load_model
from serving.export import INPUT, OUTPUT
from support.browser import ROOT
from tests.e2e.conftest import screenshot, settle

TINY_TRAINING = "/train?hidden=32&epochs=2&images=1000&batch=32"  # done in a second or two


def download(page, label: str):
    """Click a download button of the main area; the file's name and bytes."""
    with page.expect_download(timeout=30_000) as started:  # the file is made when clicked
        page.locator("[data-testid=stMain]").get_by_role("button", name=label).click()
    return started.value.suggested_filename, Path(started.value.path()).read_bytes()


def test_a_finished_training_downloads_as_npz_onnx_and_a_standalone_predictor(browser, server):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})  # a deep link: a context of its own,
    page = context.new_page()                        # as Streamlit's first probes of /train/_stcore/ answer 404
    page.goto(server + TINY_TRAINING)
    settle(page)
    page.locator("[data-testid=stMain]").get_by_role("button", name="Start").click()
    page.get_by_text("of the 10,000 test images are read correctly").wait_for(timeout=120_000)
    settle(page)
    screenshot(page, "train-downloads")
    npz_name, npz = download(page, "Download the model (.npz)")
    onnx_name, onnx_bytes = download(page, "Download for ONNX Runtime (.onnx)")
    zip_name, zipped = download(page, "Download a standalone predictor (.zip)")
    stem = npz_name.removesuffix(".npz")
    assert (onnx_name, zip_name) == (f"{stem}.onnx", f"{stem}-predictor.zip")

    network, meta = load_model(npz)
    assert network.sizes == [784, 32, 10]
    X = to_inputs(load_dataset("mnist", "test")[0][:500])
    session = onnxruntime.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    P = session.run([OUTPUT], {INPUT: X})[0]
    assert np.array_equal(P.argmax(axis=1), network.predict(X)) and np.abs(P - network.predict_proba(X)).max() < 1e-5
    with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
        assert archive.read(f"{stem}/model.npz") == npz
        assert archive.read(f"{stem}/predict.py") == (ROOT / "serving" / "standalone_predict.py").read_bytes()
    context.close()
