"""Every page through streamlit.testing AppTest: it runs, and shows the right numbers."""
import base64
import html
import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from core.calibration import DEFAULT_THRESHOLD
from core.data import load_mnist, to_inputs
from core.nn.explain import neuron_selectivity, neuron_usage
from core.io import load_model
from tests.test_weights import WEIGHTS
from ui import charts

TIMEOUT = 90


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()


def figure(at, key):
    """The Plotly figure of the chart with this key, as a dict."""
    charts = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert charts, f"no chart {key!r} among {[c.proto.id for c in at.get('plotly_chart')]}"
    return json.loads(charts[0].proto.spec)


def array(value) -> np.ndarray:
    """A Plotly JSON array: a plain list, or Plotly's typed array {"dtype", "bdata" (base64), "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        shape = [int(n) for n in str(value.get("shape", "-1")).split(",")]
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).reshape(shape)
    return np.array(value, dtype=float)


def images_in(at, key) -> list:
    """(caption, decoded grey image (h, w) 0..255) of every picture in the digit grid inside the container `key`."""
    def find(node):
        if getattr(node, "proto", None) is not None and getattr(node.proto, "id", "").endswith(f"-{key}"):
            return node
        children = getattr(node, "children", None)
        return next((found for c in (children.values() if isinstance(children, dict) else []) if (found := find(c))),
                    None)
    block = find(at._tree)
    assert block is not None, f"no container {key!r}"
    grid = next(node for node in block.children.values() if node.type == "html").proto.body
    pictures = re.findall(r'<img src="data:image/png;base64,([^"]+)".*?<figcaption[^>]*>(.*?)</figcaption>', grid)
    return [(html.unescape(caption), np.asarray(Image.open(io.BytesIO(base64.b64decode(data)))))
            for data, caption in pictures]


def picker(at):
    """The sidebar's model picker (its key changes each time the app, not the learner, picks a model)."""
    return next(box for box in at.sidebar.selectbox if box.label == "Current model")


def open_page(at, name):
    at.switch_page(f"pages/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def seven_png() -> str:
    """A 7 drawn in white on a black 280x280 canvas, as the canvas sends it: a PNG data URL."""
    img = blank_canvas()
    img[40:60, 60:220, :3] = 255                          # the top bar
    for t in range(20):                                   # the diagonal stroke
        r, c = 60 + t * 9, 200 - t * 5
        img[r:r + 14, c:c + 14, :3] = 255
    return canvas_url(img)


def zero_png() -> str:
    """A 0 on the canvas: an upright ring of white ink."""
    img = blank_canvas()
    rows, cols = np.mgrid[:280, :280]
    radius = np.hypot((rows - 140) / 100, (cols - 140) / 65)   # an ellipse, taller than wide
    img[(radius > 0.8) & (radius < 1.0), :3] = 255
    return canvas_url(img)


def blank_canvas():
    img = np.zeros((280, 280, 4), np.uint8)
    img[..., 3] = 255
    return img


def canvas_url(pixels) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(pixels)).decode()


def png_bytes(pixels) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_home_shows_the_current_network_and_links_every_page(app):
    assert not app.exception
    assert app.title[0].value == "Neural network from scratch"
    diagram = figure(app, "home_diagram")
    texts = " ".join(a["text"] for a in diagram["layout"]["annotations"])
    assert "<b>784</b> pixels" in texts and "<b>256</b> neurons" in texts and "<b>10</b> outputs" in texts
    from ui.shell import PAGES
    labels = [link.proto.label for link in app.get("page_link") if not link.proto.label.startswith("Next:")]
    assert [label.split(":")[0] for label in labels] == [title for _, title, _ in PAGES[1:]]  # every other page, in order
    assert "98.10%" in app.sidebar.caption[0].value


def test_sidebar_offers_every_shipped_model_and_switching_changes_every_page(app):
    box = picker(app)
    assert box.options[0].startswith("fast") and len(box.options) == len(list(WEIGHTS.glob("*.npz"))) == 9
    box.set_value("shipped:tutorial-10-10").run()
    assert "784 → 10 → 10" in app.sidebar.caption[0].value and "91.13%" in app.sidebar.caption[0].value
    open_page(app, "evaluate")
    assert app.metric[0].value == "91.13%"


def test_dataset_explorer_counts_means_and_one_image(app, mnist_train):
    open_page(app, "explore")
    counts = app.dataframe[0].value
    assert counts["images"].sum() == 60000 and counts["images"].tolist()[:2] == [5923, 6742]
    examples = images_in(app, "examples")
    assert len(examples) == 10 * 20                                    # 20 examples of every digit, a row each
    for n, (caption, picture) in enumerate(examples):
        index = int(caption.removeprefix("#"))
        assert mnist_train[1][index] == n // 20                          # row k holds digit k
        assert np.array_equal(picture, mnist_train[0][index])             # the very image, pixel for pixel
    means = array(figure(app, "means")["data"][0]["z"])
    expected_mean_of_zeros = mnist_train[0][mnist_train[1] == 0].mean(axis=0) / 255
    assert np.allclose(means[:28, :28], expected_mean_of_zeros)
    grey_levels = array(figure(app, "pixel_hist")["data"][0]["y"])
    assert np.array_equal(grey_levels, np.bincount(mnist_train[0].ravel(), minlength=256))  # all 47,040,000 pixels
    one = figure(app, "one_image")
    assert one["layout"]["title"]["text"] == "#0: label 5"
    app.number_input(key="explore_index").set_value(7).run()
    assert figure(app, "one_image")["layout"]["title"]["text"] == f"#7: label {mnist_train[1][7]}"
    app.segmented_control(key="explore_split").set_value("test").run()
    assert app.dataframe[0].value["images"].sum() == 10000


def test_ambiguous_digits_are_the_best_models_most_confident_mistakes_each_with_its_caption(app, mnist_test):
    open_page(app, "explore")
    accuracies = {path.stem: load_model(path)[0].accuracy(*mnist_test) for path in WEIGHTS.glob("*.npz")}
    best = max(accuracies, key=accuracies.get)
    P = load_model(WEIGHTS / f"{best}.npz")[0].predict_proba(mnist_test[0])
    assert any(f"**{best}** ({accuracies[best]:.2%}" in m.value for m in app.markdown)  # measured, not typed in
    shown = images_in(app, "ambiguous")
    assert len(shown) == 30
    sureness = []
    for caption, picture in shown:                                   # "#index: label → prediction, confidence"
        index, rest = caption.removeprefix("#").split(": ")
        label, said = rest.split(", ")[0].split(" → ")
        i = int(index)
        assert int(label) == mnist_test[1][i] and int(said) == P[i].argmax() != mnist_test[1][i]
        assert rest.split(", ")[1] == f"{P[i].max():.0%}"
        assert np.array_equal(picture, (mnist_test[0][i] * 255).round().reshape(28, 28))
        sureness.append(P[i].max())
    assert sureness == sorted(sureness, reverse=True)


def start_training(app, **settings):
    open_page(app, "train")
    app.text_input(key="train_hidden").set_value(settings.get("hidden", "32"))
    app.select_slider(key="train_size").set_value(settings.get("train_size", 1000))
    app.number_input(key="train_epochs").set_value(settings.get("epochs", 2))
    if "optimizer" in settings:
        app.selectbox(key="train_optimizer").set_value(settings["optimizer"])
    if "lr" in settings:
        app.number_input(key="train_lr").set_value(settings["lr"])
    app.run()
    app.button[0].click().run()  # Start
    job = app.session_state["training_job"]
    job.wait(120)
    app.run()  # the live fragment polls (run_every timers do not fire in AppTest)
    return job


def test_a_short_training_run_shows_its_curves_and_becomes_the_current_model(app):
    job = start_training(app)
    assert job.status == "done", job.message
    loss = figure(app, "loss_chart")["data"]
    assert len(array(loss[0]["x"])) == 2 * 8  # 1,000 images in batches of 128: 8 steps an epoch, 2 epochs
    epoch_loss = array(loss[2]["y"])
    assert len(epoch_loss) == 2 and epoch_loss[1] < epoch_loss[0]  # the epoch loss falls
    assert figure(app, "loss_chart")["layout"]["yaxis"]["type"] == "log"  # the first steps do not flatten the rest
    assert np.allclose(array(loss[1]["y"]), charts.smoothed(array(loss[0]["y"])), atol=1e-6)
    neurons = figure(app, "live_neurons")["data"][0]  # redrawn every 2 s while training: kept small
    assert neurons["z"]["dtype"] == "f4" and "text" not in neurons
    assert np.allclose(array(neurons["z"])[:28, :28], job.trainer.network.weights[0][:, 0].reshape(28, 28), atol=1e-7)
    assert any("Finished" in s.value for s in app.success)
    assert app.get("download_button")
    caption = app.sidebar.caption[0].value
    assert "784 → 32 → 10" in caption and f"{job.test_accuracy:.2%}" in caption
    open_page(app, "evaluate")
    assert app.metric[0].value == f"{job.test_accuracy:.2%}"  # every page uses the new model


def test_a_run_that_finishes_while_the_learner_is_on_another_page_becomes_current(app):
    open_page(app, "train")
    app.text_input(key="train_hidden").set_value("16")
    app.select_slider(key="train_size").set_value(500)
    app.number_input(key="train_epochs").set_value(1)
    app.run()
    app.button[0].click().run()
    job = app.session_state["training_job"]
    open_page(app, "draw")  # away from the Train page before the run ends
    job.wait(120)
    app.run()  # the sidebar's status check, on every page, registers the finished run
    assert job.status == "done"
    assert picker(app).value == f"trained:{id(job)}:1"
    assert "784 → 16 → 10" in app.sidebar.caption[0].value


def test_a_diverging_learning_rate_stops_with_an_explanation_and_no_model(app):
    job = start_training(app, optimizer="sgd", lr=100.0)
    assert job.status == "diverged"
    assert any("Lower the learning rate" in e.value for e in app.error)
    assert "784 → 256 → 10" in app.sidebar.caption[0].value  # the current model did not change


def test_bad_hidden_layers_are_explained_and_start_is_disabled(app):
    open_page(app, "train")
    app.text_input(key="train_hidden").set_value("16, many").run()
    assert any("whole numbers" in e.value for e in app.error)
    assert app.button[0].disabled


def test_presets_fill_the_settings(app):
    open_page(app, "train")
    app.selectbox(key="train_preset").set_value("nielsen-30").run()
    assert app.text_input(key="train_hidden").value == "30"
    assert app.selectbox(key="train_activation").value == "sigmoid"
    assert app.number_input(key="train_lr").value == 3.0
    assert app.select_slider(key="train_batch").value == 10


NEURON = "weights_neuron_shipped:fast"  # the neuron opened on the Weights page, one per model


def test_weights_page_shows_every_neuron_and_one_up_close(app):
    open_page(app, "weights")
    network, _ = load_model(WEIGHTS / "fast.npz")
    grid, tiles = figure(app, "weight_grid")["data"][:2]
    assert grid["hovertemplate"].startswith("neuron %{customdata}")        # a small number under every pixel
    assert set(np.unique(array(grid["customdata"]))) == set(range(-1, 256))  # every neuron, -1 in the gaps
    assert len(tiles["text"]) == 256 and any(name.startswith("neuron 255: votes most for") for name in tiles["text"])
    assert grid["zmid"] == 0
    images, labels = load_mnist("test")
    A = network.forward(to_inputs(images)).As[1]
    favourite, selectivity = neuron_selectivity(A, labels)
    best = int(selectivity.argmax())
    assert app.number_input(key=NEURON).value == best              # opens on the most selective neuron
    assert any(f"Neuron {best} fires most for **{favourite[best]}**s" in m.value for m in app.markdown)
    targets = figure(app, "weight_grid")["data"][1]                  # the clickable markers, one per tile
    assert array(targets["customdata"]).tolist() == list(range(256)) and targets["selectedpoints"] == [best]
    app.segmented_control(key="weights_order").set_value("usage").run()
    targets = figure(app, "weight_grid")["data"][1]
    usage = neuron_usage(A, network.weights[1])
    assert array(targets["customdata"]).tolist() == np.argsort(-usage, kind="stable").tolist()
    under = array(figure(app, "weight_grid")["data"][0]["customdata"])
    assert (under[:28, :28] == np.argsort(-usage, kind="stable")[0]).all()  # pixels name the neuron drawn there
    first = int(targets["customdata"][0])
    grid = array(figure(app, "weight_grid")["data"][0]["z"])
    assert np.allclose(grid[:28, :28], network.weights[0][:, first].reshape(28, 28), atol=1e-6)  # tile 0: most used
    app.segmented_control(key="weights_order").set_value("vote").run()
    voted = network.weights[1][array(figure(app, "weight_grid")["data"][1]["customdata"]).astype(int)].argmax(axis=1)
    assert (np.diff(voted) >= 0).all() and set(voted) == set(range(10))   # grouped by the digit they vote for
    app.number_input(key=NEURON).set_value(7).run()
    assert app.metric[0].value == f"{network.biases[0][7]:+.4f}"
    big = array(figure(app, "neuron_big")["data"][0]["z"])
    assert np.allclose(big, network.weights[0][:, 7].reshape(28, 28), atol=1e-6)
    votes = array(figure(app, "neuron_votes")["data"][0]["y"])
    assert np.allclose(votes, network.weights[1][7], atol=1e-6)
    before = array(figure(app, "before")["data"][0]["z"])
    initial = np.random.default_rng(0).normal(0, np.sqrt(2 / 784), (784, 256)).astype(np.float32)  # He, seed 0
    assert np.allclose(before[:28, :28], initial[:, 0].reshape(28, 28), atol=1e-6)  # rebuilt from the seed


def test_drawing_a_seven_through_session_state_predicts_seven(app):
    open_page(app, "draw")
    assert any("Nothing drawn" in i.value for i in app.info)  # the empty canvas asks for a drawing
    app.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    app.run()
    assert not app.exception
    assert app.metric[0].label == "Prediction" and app.metric[0].value == "7"
    probabilities = array(figure(app, "draw_probs")["data"][0]["y"])
    assert sum(probabilities) == pytest.approx(1, abs=1e-5) and np.argmax(probabilities) == 7
    hidden = array(figure(app, "draw_hidden")["data"][0]["y"])
    assert len(hidden) == 256 and min(hidden) >= 0  # ReLU activations


def test_a_drawing_shows_the_models_logits_and_softmax_at_the_chosen_temperature(app):
    open_page(app, "draw")
    app.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    app.run()
    network, _ = load_model(WEIGHTS / "fast.npz")
    x = app.session_state["last_digit"][None]
    z = network.forward(x).logits[0].astype(np.float64)
    assert np.allclose(array(figure(app, "draw_logits")["data"][0]["y"]), z, atol=1e-5)
    gap = z[7] - np.sort(z)[-2]
    assert any(f"is **{gap:.1f}** above the next" in m.value and f"≈ **{np.exp(gap):,.0f}** times" in m.value
               for m in app.markdown)
    assert "100.0%" not in app.metric[0].delta                          # never rounded up to certainty
    for T in (1, 5, 50):
        app.select_slider(key="draw_temperature").set_value(T).run()
        shown = array(figure(app, "draw_softmax_T")["data"][0]["y"])
        expected = np.exp(z / T - (z / T).max()) / np.exp(z / T - (z / T).max()).sum()  # softmax(z / T)
        assert np.allclose(shown, expected, atol=1e-6)
    assert 0.1 < shown[7] < 0.5 and shown.argmax() == 7                # T = 50: far less sure, same ranking


def test_a_random_test_image_is_predicted_as_the_model_does(app, mnist_test):
    open_page(app, "draw")
    app.segmented_control(key="draw_source").set_value("test").run()
    index = app.session_state["draw_test_index"]
    network, _ = load_model(WEIGHTS / "fast.npz")
    from core.preprocess import prepare_digit
    images, _ = load_mnist("test")
    P = network.predict_proba(prepare_digit(images[index]).x[None])[0]
    expected, sure = int(P.argmax()), P.max() >= DEFAULT_THRESHOLD  # below the lab's threshold: "not sure"
    assert app.metric[0].value == (str(expected) if sure else "not sure")
    assert sure or app.metric[0].delta.startswith(f"best guess {expected},")
    assert f"#{index}" in app.markdown[-1].value or any(f"#{index}" in m.value for m in app.markdown)


def test_evaluate_page_confusion_matrix_totals_the_test_set(app, mnist_test):
    open_page(app, "evaluate")
    network, _ = load_model(WEIGHTS / "fast.npz")
    accuracy = network.accuracy(*mnist_test)
    assert app.metric[0].value == f"{accuracy:.2%}"
    matrix = array(figure(app, "confusion")["data"][0]["text"]).astype(int)
    assert matrix.sum() == 10000 and np.trace(matrix) == round(accuracy * 10000)
    table = app.dataframe[0].value
    assert len(table) == 10 and table["test images"].sum() == 10000
    true, said = app.selectbox(key="eval_true").value, app.selectbox(key="eval_said").value
    assert any(f"of a **{true}** read as **{said}**" in m.value for m in app.markdown)
    assert f"**{matrix[true, said]}** test image" in " ".join(m.value for m in app.markdown)
    predicted = network.predict(mnist_test[0])
    cell = images_in(app, "cell_images")                             # the chosen cell's images, captioned
    assert len(cell) == min(40, matrix[true, said])
    assert all(caption.split(": ")[1].startswith(f"{true} → {said}, ") for caption, _ in cell)
    mistakes = images_in(app, "mistakes")
    assert len(mistakes) == 30
    for caption, _ in mistakes:
        index, rest = caption.removeprefix("#").split(": ")
        true_digit, said_digit = rest.split(", ")[0].split(" → ")
        assert (int(true_digit), int(said_digit)) == (mnist_test[1][int(index)], predicted[int(index)])
    cells = figure(app, "confusion")["data"][1]                          # the clickable markers, one a cell
    assert len(cells["x"]) == 100 and cells["selectedpoints"] == [true * 10 + said]  # the chosen cell outlined
    assert (cells["y"][true * 10 + said], cells["x"][true * 10 + said]) == (str(true), str(said))


def test_one_sessions_training_changes_neither_another_session_nor_the_shared_models():
    from ui.resources import dataset, shipped_models
    first = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    second = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    shared = shipped_models()[0]
    before = {key: {n: p.copy() for n, p in entry.network.params().items()} for key, entry in shared.items()}
    job = start_training(first)
    assert job.status == "done" and "784 → 32 → 10" in first.sidebar.caption[0].value
    second.run()
    assert picker(second).value == "shipped:fast"
    assert len(picker(second).options) == len(shared)
    assert "784 → 256 → 10" in second.sidebar.caption[0].value
    for key, entry in shared.items():
        assert all(np.array_equal(before[key][n], p) for n, p in entry.network.params().items())
    with pytest.raises(ValueError, match="read-only"):
        shared["shipped:fast"].network.weights[0][0, 0] = 1.0  # shared arrays refuse in-place changes
    with pytest.raises(ValueError, match="read-only"):
        shared["shipped:cnn-99"].network.params()["K1"][0, 0, 0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        dataset("mnist").train_images[0, 0, 0] = 255


def wait_until_still(job):
    """Wait until a paused job's progress stops changing (the process reports everything before it pauses)."""
    import time
    previous = None
    while previous is None or job.snapshot().latest.step != previous:
        previous = job.snapshot().latest.step if job.snapshot().latest else None
        time.sleep(0.5)


def test_the_page_and_the_sidebar_show_one_progress_line_from_one_value(app):
    open_page(app, "train")
    app.select_slider(key="train_batch").set_value(10)
    app.number_input(key="train_epochs").set_value(20).run()  # minutes of training: it is still running below
    app.button[0].click().run()
    job = app.session_state["training_job"]
    while job.snapshot().latest is None:
        job.wait(0.2)
    job.pause()
    wait_until_still(job)
    app.run()
    assert not app.exception
    line = app.get("progress")[0].proto.text
    snap = job.snapshot()
    assert line.startswith(f"epoch {snap.latest.epoch:.2f} of 20 · ")
    assert not app.sidebar.info  # on the Train page the page itself says how far it is
    open_page(app, "draw")
    assert app.sidebar.info[0].value == f"Run 1 paused: {line}"  # elsewhere the sidebar says it: the same line
    job.stop()
    job.wait()


def test_the_loss_axis_can_be_linear_with_a_range_that_shows_the_later_losses(app):
    job = start_training(app, train_size=5000)  # 80 steps: long enough to learn
    app.toggle(key="loss_log_scale").set_value(False).run()
    chart = figure(app, "loss_chart")
    batch, trend = array(chart["data"][0]["y"]), array(chart["data"][1]["y"])
    bottom, top = chart["layout"]["yaxis"]["range"]
    assert chart["layout"]["yaxis"].get("type", "linear") == "linear" and bottom == 0
    assert trend[len(trend) // 10:].max() < top < batch[0]  # the later losses fill the chart; the first one is cut
    assert job.status == "done"


def test_while_it_learns_the_page_shows_what_it_reads_of_ten_test_digits_and_the_last_drawing(app, mnist_test):
    X, labels = mnist_test
    rows = [int(np.flatnonzero(labels == k)[0]) for k in range(10)]  # the first test image of each digit
    job = start_training(app)
    drawing = X[1234]
    app.session_state["last_digit"] = drawing  # as Draw & predict keeps the learner's last digit
    app.run()
    P = job.trainer.network.predict_proba(np.vstack([X[rows], drawing[None]]))  # (11, 10)
    expected = [f"**{p.argmax()}** {p.max():.0%}" for p in P]
    shown = [m.value.split("[", 1)[1].replace("]", "") for m in app.markdown if m.value.startswith(":")]
    assert shown == expected
    colours = [m.value[1:m.value.index("[")] for m in app.markdown if m.value.startswith(":")]
    assert colours == ["green" if P[k].argmax() == k else "red" for k in range(10)] + ["blue"]


def test_the_time_estimate_is_processor_time_and_names_its_range_when_the_cores_are_busy(app, monkeypatch):
    import os
    import re
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    for load, free in ((0.5, True), (8.0, False)):  # 8 programs wanting 2 cores: up to 4 times longer
        monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
        open_page(app, "train")
        text = next(c.value for c in app.caption if c.value.startswith("Estimated training time"))
        seconds = [int(s) for s in re.findall(r"about (\d+) s", text)]
        assert ("A core is free now" in text) == free
        if not free:
            assert "load average: 4.0 programs per core" in text and abs(seconds[1] - 4 * seconds[0]) <= 2, text
