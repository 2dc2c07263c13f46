"""The explainer's numbers are core's numbers: the walkthrough, one gradient step, and every page that shows them."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.explain import gradient_step, walkthrough
from core.io import load_model
from core.presets import PRESETS
from tests.test_pages import array, figure, open_page, picker, seven_png, zero_png
from tests.test_weights import WEIGHTS


@pytest.fixture(scope="module")
def fast():
    return load_model(WEIGHTS / "fast.npz")[0]


def test_walkthrough_gradients_equal_the_training_gradients(fast, mnist_test):
    x, label = mnist_test[0][0], 3
    w = walkthrough(fast, x, label)
    loss, grads = fast.gradients(x[None], np.array([label]))
    assert w.loss == pytest.approx(loss)
    assert all(np.array_equal(w.grads[k], grads[k]) for k in grads)
    assert w.deltas["dZ2"][0] == pytest.approx(w.fwd.P[0] - np.eye(10)[label], abs=1e-6)  # P - Y, N = 1
    assert np.allclose(w.grads["W1"], np.outer(x, w.deltas["dZ1"][0]), atol=1e-7)       # dW1 = x dZ1


def test_one_step_lowers_the_loss_on_that_image_and_leaves_the_original_alone(fast, mnist_test):
    x, label = mnist_test[0][1], 5  # teach a wrong label: the loss for it starts high
    before = [W.copy() for W in fast.weights]
    stepped = gradient_step(fast, x, label, learning_rate=0.1)
    assert walkthrough(stepped, x, label).loss < walkthrough(fast, x, label).loss
    assert all(np.array_equal(a, b) for a, b in zip(before, fast.weights))


def how_it_works(test_index=0):
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "how_it_works")
    at.number_input(key="hiw_index").set_value(test_index).run()
    return at


def test_the_page_shows_cores_backprop_values_for_the_image(fast, mnist_test):
    at = how_it_works(4)
    x, label = mnist_test[0][4], int(mnist_test[1][4])
    w = walkthrough(fast, x, label)
    assert np.allclose(array(figure(at, "hiw_Z1")["data"][0]["y"]), w.fwd.Zs[0][0], atol=1e-5)
    assert np.allclose(array(figure(at, "hiw_dZout")["data"][0]["y"]), w.deltas["dZ2"][0], atol=1e-6)
    assert np.allclose(array(figure(at, "hiw_dZ1")["data"][0]["y"]), w.deltas["dZ1"][0], atol=1e-7)
    top = np.argsort(-np.abs(w.deltas["dZ1"][0]), kind="stable")[0]
    dW1_tiles = array(figure(at, "hiw_dW1")["data"][0]["z"])
    assert np.allclose(dW1_tiles[:28, :28], w.grads["W1"][:, top].reshape(28, 28), atol=1e-7)
    assert any(f"-\\log p_{{{label}}}" in latex.value for latex in at.latex)
    softmax_table = at.dataframe[0].value
    assert softmax_table["÷ sum = p"].to_numpy() == pytest.approx(w.fwd.P[0], abs=1e-5)


def test_the_gradient_check_agrees_to_better_than_one_in_a_million():
    at = how_it_works(0)
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Relative error"]) < 1e-6
    assert float(metrics["Slope (L₊ − L₋) / 2ε"]) == pytest.approx(float(metrics["Backprop gradient"]), rel=1e-5)
    at.selectbox(key="hiw_param").set_value("b2").run()
    assert float({m.label: m.value for m in at.metric}["Relative error"]) < 1e-6
    at.selectbox(key="hiw_param").set_value("W1").run()
    at.toggle(key="hiw_choose").set_value(True).run()
    at.number_input(key="hiw_entry_W1_0").set_value(400).run()   # pixel 400, near the middle of the image
    at.number_input(key="hiw_entry_W1_1").set_value(5).run()     # neuron 5
    assert any("W1[400, 5]" in m.value for m in at.markdown)
    assert float({m.label: m.value for m in at.metric}["Relative error"]) < 1e-6


def test_one_step_on_the_page_lowers_the_loss_and_undo_restores_the_exact_weights(fast):
    at = how_it_works(0)
    at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("hiw_label"))).set_value(3).run()
    next(b for b in at.button if b.label.startswith("Take one gradient step")).click().run()
    assert picker(at).value == "taught:shipped:fast"
    moved = next(m.value for m in at.markdown if "the loss went from" in m.value)
    before, after = (float(v) for v in moved.split("**")[1:4:2])
    assert after < before
    taught = at.session_state["session_models"]["taught:shipped:fast"].network
    assert not np.array_equal(taught.weights[0], fast.weights[0])
    shipped, _ = load_model(WEIGHTS / "fast.npz")
    from ui.resources import shipped_models
    shared = shipped_models()[0]["shipped:fast"].network
    assert all(np.array_equal(a, b) for a, b in zip(shared.weights, shipped.weights))  # the shared model is untouched
    next(b for b in at.button if b.label.startswith("Take one gradient step")).click().run()  # a second step
    next(b for b in at.button if b.label.startswith("Undo")).click().run()
    after_undo = at.session_state["session_models"]["taught:shipped:fast"].network
    first_step = gradient_step(fast, _test_x(), 3, 0.01)
    assert all(np.array_equal(a, b) for a, b in zip(after_undo.weights, first_step.weights))  # exactly step 1
    next(b for b in at.button if b.label.startswith("Undo")).click().run()
    assert picker(at).value == "shipped:fast"


def _test_x():
    from ui.resources import dataset
    return dataset().X_test[0]


def test_draw_page_shows_saliency_and_teaching_moves_the_prediction(fast):
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "draw")
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    at.run()
    assert at.metric[0].value == "7"
    saliency = array(figure(at, "draw_saliency")["data"][0]["z"])
    x = at.session_state["last_digit"]
    assert np.allclose(saliency.reshape(-1), fast.input_gradient(x[None], 7)[0], atol=1e-6)
    at.selectbox(key="teach_label").set_value(1).run()
    at.slider(key="teach_steps").set_value(10).run()
    at.number_input(key="teach_lr").set_value(0.05).run()
    next(b for b in at.button if b.label.startswith("Teach it")).click().run()
    assert at.metric[0].value == "1"  # taught: this session's copy now reads the drawing as a 1
    assert any("Before: **7**" in m.value for m in at.markdown)
    assert at.selectbox(key="teach_label").value == 1  # the same drawing keeps the learner's answer
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": zero_png()}}
    at.run()
    assert at.metric[0].value == "0"
    assert at.selectbox(key="teach_label").value == 0  # a new drawing starts at its prediction
    fresh = AppTest.from_file("../app.py", default_timeout=90).run()  # another learner's session
    open_page(fresh, "draw")
    fresh.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    fresh.run()
    assert fresh.metric[0].value == "7"


def test_tutorials_page_badges_each_preset_with_the_measured_figure():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "tutorials")
    figures = {m.value: m.delta for m in at.metric}
    assert figures["98.17%"] == "our target 98%" and figures["91.13%"] == "published 85%"
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(badges) == 7 and sum("reproduced" in b for b in badges) == 5 and sum("reached" in b for b in badges) == 2
    assert not any("not " in b for b in badges)  # every shipped model meets its published figure or our target
    for name in PRESETS:                                              # each tutorial's measured training curve
        at.segmented_control(key="tutorial_chosen").set_value(name).run()
        _, meta = load_model(WEIGHTS / f"{name}.npz")
        train, validation = figure(at, "tutorial_curve")["data"]
        assert np.allclose(array(validation["y"]), meta["history"]["val_accuracy"])
        assert np.allclose(array(train["x"]), range(1, meta["config"]["epochs"] + 1))
        if name == "nielsen-30":                                      # and its network
            diagram = figure(at, "tutorial_network")["layout"]["annotations"]
            assert [a["text"].split("<br>")[0] for a in diagram] == ["<b>784</b>", "<b>30</b>", "<b>10</b>"]
    assert at.dataframe[-1].value["layer"].tolist()[0].startswith("conv 16@5×5")  # cnn-99: its layers' shapes
    next(b for b in at.button if b.key == "use_nielsen-30").click().run()
    assert picker(at).value == "shipped:nielsen-30"


def test_presenter_mode_hides_uploads_and_advanced_settings():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    assert any(e.label.startswith("Upload a model") for e in at.sidebar.expander)
    at.sidebar.toggle(key="presenter_mode").set_value(True).run()
    assert not any(e.label.startswith("Upload a model") for e in at.sidebar.expander)
    open_page(at, "train")
    assert [s.key for s in at.main.selectbox] == ["train_preset"]  # only the preset; the rest keep their values
    assert at.session_state["presenter_mode"] is True
    assert not at.button[0].disabled  # Start still works
