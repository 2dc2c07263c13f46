"""The prediction API against a real uvicorn on 127.0.0.1: the answers equal core's forward pass on the Draw page's
preprocessing, and every kind of bad input gets its 4xx and a message while the server keeps serving."""
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from core.data import DATASETS, load_dataset
from core.io import load_model
from core.preprocess import MAX_PICTURE_BYTES, MAX_PIXELS, PREPARE, prepare_digit
from support.api_server import MODEL, ROOT, ApiClient, running_api
from support.browser import free_port
from ui.images import decode_image

TEST_IMAGES = [0, 1, 2, 18, 247]  # 7, 2, 1, 3 and a 4 the model finds hard


@pytest.fixture(scope="module")
def port():
    with running_api("api.log") as chosen:
        yield chosen


@pytest.fixture
def client(port):
    made = ApiClient(port)
    yield made
    made.close()


@pytest.fixture(scope="module")
def test_set():
    return load_dataset("mnist", "test")


def encoded(grey: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(grey).save(buffer, format=fmt)
    return buffer.getvalue()


def core_probabilities(images) -> np.ndarray:
    """What the app computes for these image arrays: the Draw page's preprocessing, then the network.  (N, 10)"""
    network, _ = load_model(MODEL)
    return network.forward(np.stack([prepare_digit(image).x for image in images])).P


def test_health_names_the_model_and_its_classes(client):
    assert client.get("/health") == (200, {"status": "ok", "model": "fast", "dataset": "mnist",
                                            "classes": list("0123456789")})


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_picture_of_a_test_digit_gets_the_digit_and_probabilities_core_computes(client, test_set, fmt):
    images, labels = test_set
    digits = []
    for index in TEST_IMAGES:
        big = np.kron(255 - images[index], np.ones((5, 5), np.uint8))  # 140x140, dark ink on white paper
        raw = encoded(big, fmt)
        status, answer = client.post_picture(raw, f"image/{fmt.lower()}")
        expected = core_probabilities([decode_image(raw)])[0]  # the Draw page's decoding of the same bytes
        assert status == 200, answer
        assert answer["digit"] == expected.argmax() and answer["label"] == str(answer["digit"])
        assert answer["model"] == "fast"
        np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-6)
        digits.append(answer["digit"])
    assert digits[:4] == labels[TEST_IMAGES[:4]].tolist()


def test_json_pixels_get_the_digit_and_probabilities_core_computes(client, test_set):
    images, labels = test_set
    for index in TEST_IMAGES:
        status, answer = client.post_json("/predict", {"pixels": images[index].tolist()})
        expected = core_probabilities([images[index]])[0]
        assert status == 200, answer
        assert answer["digit"] == expected.argmax()
        np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-6)
    assert [client.post_json("/predict", {"pixels": images[i].tolist()})[1]["digit"] for i in range(4)] == \
        labels[:4].tolist()


def test_a_batch_answers_each_image_in_order_as_core_does(client, test_set):
    images, labels = test_set
    batch = images[:100]
    status, answer = client.post_json("/predict/batch", {"pixels": batch.tolist()})
    expected = core_probabilities(batch)
    assert status == 200, answer
    assert answer["digits"] == expected.argmax(axis=1).tolist()
    assert answer["labels"] == [str(d) for d in answer["digits"]]
    np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-6)
    assert np.mean(np.array(answer["digits"]) == labels[:100]) >= 0.95


def grid(value=0, rows=28, columns=28) -> list:
    return [[value] * columns for _ in range(rows)]


STROKE = [[255 if 4 <= r < 24 and 12 <= c < 16 else 0 for c in range(28)] for r in range(28)]  # a "1"


def blank_png(width: int, height: int) -> bytes:
    return encoded(np.zeros((height, width), np.uint8), "PNG")


def chunked(client: ApiClient, size: int) -> tuple:
    """A JSON body of `size` bytes sent in chunks, without a Content-Length to refuse it by."""
    client.connection.request("POST", "/predict", (b" " * 2**20 for _ in range(size // 2**20)),
                              {"Content-Type": "application/json"}, encode_chunked=True)
    reply = client.connection.getresponse()
    return reply.status, json.loads(reply.read())


BAD_INPUTS = {  # what is wrong: (how it is sent, the status, words the message must hold)
    "not a picture": (lambda c: c.post_picture(b"Hello, this is text.\n" * 50), 415, "not a PNG or JPEG"),
    "a GIF": (lambda c: c.post_picture(encoded(np.zeros((28, 28), np.uint8), "GIF"), "image/gif"), 415,
              "not a PNG or JPEG"),
    "an empty file": (lambda c: c.post_picture(b""), 400, "empty"),
    "a file too big": (lambda c: c.post_picture(np.random.default_rng(0).bytes(MAX_PICTURE_BYTES + 1)), 413,
                       "at most 2 MB"),
    "too many pixels": (lambda c: c.post_picture(blank_png(4001, 4000)), 413, f"at most {MAX_PIXELS:,} pixels"),
    "a blank drawing": (lambda c: c.post_picture(blank_png(280, 280)), 422, "Nothing drawn"),
    "no image field": (lambda c: c.post_picture(blank_png(28, 28), field="picture"), 422, 'no field "image"'),
    "text in the image field": (lambda c: c.request("POST", "/predict", b'--b\r\nContent-Disposition: form-data; '
                                                    b'name="image"\r\n\r\n7\r\n--b--\r\n',
                                                    "multipart/form-data; boundary=b"), 422, "must be a file"),
    "a wrong content type": (lambda c: c.request("POST", "/predict", b"7", "text/plain"), 415, "text/plain"),
    "an empty body": (lambda c: c.request("POST", "/predict", b"", "application/json"), 400, "empty"),
    "not JSON": (lambda c: c.request("POST", "/predict", b"{pixels: 1", "application/json"), 400, "not valid JSON"),
    "NaN": (lambda c: c.request("POST", "/predict", b'{"pixels": NaN}', "application/json"), 400, "NaN"),
    "no pixels field": (lambda c: c.post_json("/predict", {"image": grid()}), 422, 'no field "pixels"'),
    "a wrong shape": (lambda c: c.post_json("/predict", {"pixels": grid(rows=27)}), 422, "shape (27, 28)"),
    "rows of different lengths": (lambda c: c.post_json("/predict", {"pixels": grid()[:27] + [[0] * 27]}), 422,
                                  "different lengths"),
    "not numbers": (lambda c: c.post_json("/predict", {"pixels": grid("a")}), 422, 'numbers 0-255 only; found "a"'),
    "null": (lambda c: c.post_json("/predict", {"pixels": grid()[:27] + [[0] * 27 + [None]]}), 422,
             "found null at [27, 27]"),
    "a value over 255": (lambda c: c.post_json("/predict", {"pixels": grid(256)}), 422, "0 to 255; found 256"),
    "a negative value": (lambda c: c.post_json("/predict", {"pixels": grid(-1)}), 422, "0 to 255; found -1"),
    "a body too big": (lambda c: c.request("POST", "/predict", b" " * (9 * 2**20), "application/json"), 413,
                       "larger than 8 MB"),
    "a chunked body too big": (lambda c: chunked(c, 9 * 2**20), 413, "larger than 8 MB"),
    "a batch of one grid": (lambda c: c.post_json("/predict/batch", {"pixels": STROKE}), 422, "shape (28, 28)"),
    "a batch too large": (lambda c: c.post_json("/predict/batch", {"pixels": [grid()] * 1001}), 422, "1 to 1000"),
    "a blank image in a batch": (lambda c: c.post_json("/predict/batch", {"pixels": [STROKE, grid(0)]}), 422,
                                 "Image 1: Nothing drawn"),
    "a picture to the batch": (lambda c: c.post_picture(blank_png(28, 28), path="/predict/batch"), 415,
                               "multipart/form-data is not accepted"),
}


@pytest.mark.parametrize("what", BAD_INPUTS)
def test_bad_input_gets_its_4xx_and_says_what_is_wrong_and_the_server_keeps_serving(port, test_set, what):
    send, status, words = BAD_INPUTS[what]
    client = ApiClient(port)
    answer = send(client)
    assert answer[0] == status, answer
    assert words in answer[1]["detail"], answer
    client.close()
    client = ApiClient(port)  # the server may close a connection after refusing a request before reading its body
    assert client.get("/health")[0] == 200
    status, good = client.post_json("/predict", {"pixels": test_set[0][0].tolist()})
    assert status == 200 and good["digit"] == 7
    client.close()


def test_corrupted_pictures_are_refused_or_read_never_a_server_error(client, test_set):
    rng = np.random.default_rng(0)
    for fmt in ("PNG", "JPEG"):
        raw = encoded(np.kron(test_set[0][0], np.ones((4, 4), np.uint8)), fmt)
        for trial in range(15):
            damaged = bytearray(raw[:rng.integers(8, len(raw))] if trial % 3 == 0 else raw)
            for at in rng.integers(0, len(damaged), 1 + trial):
                damaged[at] = rng.integers(256)
            status, answer = client.post_picture(bytes(damaged), f"image/{fmt.lower()}")
            assert status == 200 or (400 <= status < 500 and answer["detail"]), (fmt, trial, status, answer)
    assert client.get("/health")[0] == 200


def test_the_docs_describe_both_ways_to_send_an_image_and_the_batch(client):
    status, page = client.get("/docs")
    assert status == 200 and "swagger-ui" in page and "/openapi.json" in page
    status, schema = client.get("/openapi.json")
    assert status == 200
    predict, batch = schema["paths"]["/predict"]["post"], schema["paths"]["/predict/batch"]["post"]
    assert set(predict["requestBody"]["content"]) == {"multipart/form-data", "application/json"}
    assert predict["requestBody"]["content"]["multipart/form-data"]["schema"]["required"] == ["image"]
    assert set(batch["requestBody"]["content"]) == {"application/json"}
    assert {"200", "400", "413", "415", "422"} <= set(predict["responses"])
    assert "/health" in schema["paths"]


def test_the_page_at_the_root_has_a_canvas_that_posts_the_drawing_to_predict(client):
    status, page = client.get("/")
    assert status == 200
    assert '<canvas id="pad"' in page and 'fetch("/predict"' in page and 'form.append("image"' in page


@pytest.mark.parametrize("model, words", [("no-such-model.npz", "no such model file"),
                                          ("README.md", "not a model file")])
def test_a_bad_model_file_is_named_with_what_is_wrong_and_exit_code_2(model, words):
    result = subprocess.run([sys.executable, "-m", "serving.api", "--model", model, "--port", str(free_port())],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert words in result.stderr and model in result.stderr and "Traceback" not in result.stderr


def test_every_dataset_has_its_preprocessing():
    assert set(PREPARE) == set(DATASETS)


@pytest.mark.parametrize("model, label, name", [("fashion-fast", 1, "Trouser"), ("cnn-99", 7, "7")])
def test_a_fashion_model_or_a_cnn_answers_as_core_does_with_its_datasets_preprocessing_and_names(model, label, name):
    from serving.api import Served
    network, meta = load_model(ROOT / "weights" / f"{model}.npz")
    images, labels = load_dataset(meta["dataset"], "test")
    image = images[np.flatnonzero(labels == label)[0]]
    answer = Served(network, model, meta["dataset"]).answer(
        "json", json.dumps({"pixels": image.tolist()}).encode(), batch=False)
    assert answer["digit"] == label and answer["label"] == name and answer["model"] == model
    expected = network.forward(PREPARE[meta["dataset"]](image).x[None]).P[0]
    np.testing.assert_allclose(answer["probabilities"], expected, atol=1e-6)


@pytest.mark.parametrize("img, fmt", [
    (Image.new("L", (40, 30), 200), "PNG"), (Image.new("RGB", (40, 30), (10, 200, 30)), "JPEG"),
    (Image.new("RGBA", (40, 30), (0, 0, 0, 0)), "PNG"), (Image.new("LA", (40, 30), (255, 128)), "PNG"),
    (Image.new("L", (40, 30), 90).convert("P"), "PNG"), (Image.new("CMYK", (40, 30), (0, 0, 0, 255)), "JPEG"),
    (Image.new("I;16", (40, 30), 40000), "PNG"), (Image.new("1", (40, 30), 1), "PNG"),
])
def test_the_api_decodes_every_mode_as_the_draw_page_does(img, fmt):
    from serving.inputs import decode_picture
    img.putpixel((3, 4), 0 if img.mode in ("L", "P", "I;16", "1") else tuple([0] * len(img.getbands())))
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    ours, page = decode_picture(buffer.getvalue()), decode_image(buffer.getvalue())
    assert ours.dtype == page.dtype and ours.shape == page.shape
    np.testing.assert_array_equal(ours, page)
