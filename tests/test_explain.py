"""The explainer's numbers are core's numbers: the walkthrough, one gradient step, and every page that shows them."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.nn.explain import (candidate_digits, dead_neurons, describe_neuron, gradient_step, integrated_gradients,
                             neuron_selectivity, neuron_usage, walkthrough)
from core.io import load_model
from core.nn.network import Network
from tests.test_numbers import number
from core.presets import PRESETS
from tests.test_pages import array, figure, open_page, picker, seven_png, zero_png
from pages.sections.explain import Digit
from ui.resources import dataset
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


def test_candidate_digits_it_gets_wrong_or_is_unsure_of_come_from_its_answers():
    P = np.array([[0.9, 0.1], [0.4, 0.6], [0.55, 0.45]])                 # three digits, two classes
    answers = P.argmax(axis=1), P.max(axis=1)
    assert candidate_digits(*answers, np.array([0, 0, 1]), "wrong").tolist() == [1, 2]  # argmax 1 ≠ 0, argmax 0 ≠ 1
    assert candidate_digits(*answers, np.array([0, 0, 1]), "unsure").tolist() == [2, 1, 0]  # top p 0.55 < 0.6 < 0.9
    assert candidate_digits(*answers, np.array([0, 1, 0]), "wrong").tolist() == [2, 1, 0]  # none wrong: the unsure
    assert candidate_digits(*answers, np.array([0, 1, 0]), "random").tolist() == [0, 1, 2]


STEPS = ["The digit", "Forward", "Softmax and loss", "Backward: equations", "Backward: numbers", "Check a gradient",
         "One step", "Convolution", "Pooling", "Kernel gradient"]


def how_it_works(test_index=None, step="The digit"):
    """The page on `step`, following test digit `test_index` (else the digit the page picked)."""
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "how_it_works")
    if test_index is not None:
        data = dataset("mnist")
        at.session_state["hiw_digit"] = Digit("random", data.X_test[test_index], int(data.test_labels[test_index]),
                                              test_index, "shipped:fast", None)
    return on_step(at, step)


def on_step(at, step):
    at.segmented_control(key="hiw_step").set_value(step).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_page_is_ten_steps_and_next_back_and_a_page_switch_keep_the_step():
    at = how_it_works()
    assert at.segmented_control(key="hiw_step").options == [f"{i}. {s}" for i, s in enumerate(STEPS, start=1)]
    next(b for b in at.button if b.key == "hiw_step_next").click().run()
    assert at.segmented_control(key="hiw_step").value == "Forward"
    shown = {c.proto.id.rsplit("-", 1)[-1] for c in at.get("plotly_chart")}
    assert shown == {"hiw_Z1", "hiw_A1"}                                  # that step's charts, no other step's
    on_step(at, "Kernel gradient")
    assert next(b for b in at.button if b.key == "hiw_step_next").disabled
    next(b for b in at.button if b.key == "hiw_step_back").click().run()
    assert at.segmented_control(key="hiw_step").value == "Pooling"
    open_page(at, "draw")
    open_page(at, "how_it_works")
    assert at.segmented_control(key="hiw_step").value == "Pooling"       # the step survives a visit elsewhere


def test_each_step_shows_cores_values_for_the_chosen_digit(fast, mnist_test):
    at = how_it_works(4)
    x, label = mnist_test[0][4], int(mnist_test[1][4])
    w = walkthrough(fast, x, label)
    assert np.allclose(array(figure(at, "hiw_input")["data"][0]["z"]).reshape(-1), x)
    on_step(at, "Forward")
    assert np.allclose(array(figure(at, "hiw_Z1")["data"][0]["y"]), w.fwd.Zs[0][0], atol=1e-5)
    assert any("(1, 784) · (784, 256) + (256,) → (1, 256)" in c.value for c in at.caption)   # the whole shape note
    at.segmented_control(key="hiw_layer").set_value(2).run()
    assert np.allclose(array(figure(at, "hiw_Z2")["data"][0]["y"]), w.fwd.Zs[1][0], atol=1e-5)
    on_step(at, "Softmax and loss")
    assert any(f"-\\log p_{{{label}}}" in latex.value for latex in at.latex)
    softmax_table = at.dataframe[0].value
    assert softmax_table["÷ sum = p"].to_numpy() == pytest.approx(w.fwd.P[0], abs=1e-5)
    on_step(at, "Backward: equations")
    assert any("dZ_2 = (P - Y) / N" in latex.value for latex in at.latex) and at.code
    on_step(at, "Backward: numbers")
    assert np.allclose(array(figure(at, "hiw_dZout")["data"][0]["y"]), w.deltas["dZ2"][0], atol=1e-6)
    assert np.allclose(array(figure(at, "hiw_dZ1")["data"][0]["y"]), w.deltas["dZ1"][0], atol=1e-7)
    top = np.argsort(-np.abs(w.deltas["dZ1"][0]), kind="stable")[0]
    dW1_tiles = array(figure(at, "hiw_dW1")["data"][0]["z"])
    assert np.allclose(dW1_tiles[:28, :28], w.grads["W1"][:, top].reshape(28, 28), atol=1e-7)
    assert figure(at, "hiw_dW1")["data"][0]["colorbar"]["exponentformat"] == "power"    # 4×10⁻⁷, not "400n"
    assert figure(at, "hiw_dZ1")["layout"]["yaxis"]["exponentformat"] == "power"
    on_step(at, "Pooling")
    assert any(m.value.startswith("max = **") for m in at.markdown)


def test_integrated_gradients_of_a_network_without_hidden_layer_are_ink_times_weight(rng):
    net = Network.create((), seed=1, dtype=np.float64)      # z = x W + b: the slope is W[:, label] everywhere
    x = np.zeros(784)
    x[[100, 300, 500]] = [1.0, 0.5, 0.25]
    shares = integrated_gradients(net, x, label=4, steps=3)
    assert shares[[100, 300, 500]] == pytest.approx(x[[100, 300, 500]] * net.weights[0][[100, 300, 500], 4])
    assert np.count_nonzero(shares) == 3                    # no ink, no credit


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_integrated_gradients_add_up_to_the_score_gained_from_a_black_image(activation, rng):
    net = Network.create((32, 16), activation, seed=2, dtype=np.float64)
    for b in net.biases:
        b += rng.normal(0, 0.1, b.shape)
    x = rng.random(784) * (rng.random(784) < 0.2)           # a sparse "drawing"
    z = lambda image: net.forward(image[None]).logits[0, 3]
    shares = integrated_gradients(net, x, label=3, steps=400)
    assert shares.sum() == pytest.approx(z(x) - z(np.zeros(784)), rel=2e-3)  # ReLU kinks: error ~1/S


def test_neuron_selectivity_and_usage_by_hand():
    A = np.array([[1.0, 0.5, 5], [1, 0.5, 5], [0, 2, 5], [0, 0, 5]])  # neuron 2 never changes
    y = np.array([0, 0, 1, 1])
    favourite, selectivity = neuron_selectivity(A, y)
    assert favourite[:2].tolist() == [0, 1]
    # neuron 0: digit means (1, 0): (1 - 0) / std(1, 1, 0, 0) = 1 / 0.5
    # neuron 1: digit means (0.5, 1): (1 - 0.5) / std(0.5, 0.5, 2, 0) = 0.5 / 0.75
    assert selectivity == pytest.approx([2.0, 2 / 3, 0.0])
    W_next = np.array([[3.0, 4], [0, 1], [1, 0]])          # row norms 5, 1, 1
    assert neuron_usage(A, W_next) == pytest.approx([0.5 * 5, 0.75 * 1, 5 * 1])  # mean |a| times row norm


def test_one_relu_neuron_described_by_hand():
    z = np.array([-3.0, -1, 0.5, 2, -2, 1])      # a = relu(z) = (0, 0, 0.5, 2, 0, 1)
    y = np.array([0, 0, 1, 1, 2, 2])             # class means of a: 0, 1.25, 0.5
    votes = np.array([1.0, -2, 0.6, 0.4, -1.5, 0, 0, 0, 0, 0])
    n = describe_neuron(z, y, votes, "relu")
    assert n.a.tolist() == [0, 0, 0.5, 2, 0, 1]
    assert n.exciting.tolist() == [3, 5, 2, 1, 4, 0] and n.silencing.tolist() == [0, 4, 1, 2, 5, 3]  # by z
    assert (n.favourite, n.quietest) == (1, 0)
    # (1.25 - (0 + 0.5) / 2) / std(a): mean a = 3.5/6, mean a^2 = 5.25/6, std = sqrt(0.875 - 0.3403) = 0.7313
    assert n.selectivity == pytest.approx(1 / np.sqrt(5.25 / 6 - (3.5 / 6) ** 2))
    assert n.votes_for.tolist() == [0, 2]        # 1 and 0.6 reach half the largest vote; 0.4 does not
    assert n.votes_against.tolist() == [1, 4]    # -2 and -1.5 reach half the largest drop
    assert n.rest == 0 and n.at_rest == 0.5 and not n.dead  # three of six images leave it at 0
    assert describe_neuron(z - 10, y, votes, "relu").dead
    sigmoid = describe_neuron(z - 10, y, votes, "sigmoid")
    assert sigmoid.at_rest is None and not sigmoid.dead


def test_only_an_activation_that_goes_flat_has_dead_neurons():
    A = np.array([[0.0, 1, 0], [0, 0, 0]])
    assert dead_neurons(A, "relu").tolist() == [True, False, True]
    assert all(dead_neurons(A, name) is None for name in ("sigmoid", "tanh", "leaky_relu"))


def test_the_gradient_check_agrees_to_better_than_one_in_a_million(fast):
    at = how_it_works(0, "Check a gradient")
    metrics = {m.label: number(m.value) for m in at.metric}
    assert metrics["Relative error"] < 1e-6
    assert metrics["Slope (L₊ − L₋) / 2ε"] == pytest.approx(metrics["Backprop gradient"], rel=1e-3)  # 4 digits shown
    at.selectbox(key="hiw_param").set_value("b2").run()
    assert number({m.label: m.value for m in at.metric}["Relative error"]) < 1e-6
    data = dataset("mnist")
    wrong = int(np.flatnonzero(fast.predict(data.X_test[:1000]) != data.test_labels[:1000])[0])  # big gradients
    x = data.X_test[wrong]
    pixel = int(np.argmax(x))                                                          # ink
    neuron = int(np.argmax(fast.forward(x[None].astype(fast.dtype)).As[1][0]))        # on: A1 > 0
    at = how_it_works(wrong, "Check a gradient")
    at.selectbox(key="hiw_param").set_value("W1").run()
    at.toggle(key="hiw_choose").set_value(True).run()
    at.number_input(key="hiw_entry_W1_0").set_value(pixel).run()
    at.number_input(key="hiw_entry_W1_1").set_value(neuron).run()
    assert any(f"W1[{pixel}, {neuron}]" in m.value for m in at.markdown)
    metrics = {m.label: number(m.value) for m in at.metric}
    assert metrics["Backprop gradient"] != 0 and metrics["Relative error"] < 1e-6
    assert not any("exactly 0" in i.value for i in at.info)
    at.number_input(key="hiw_entry_W1_0").set_value(0).run()     # pixel 0, a corner: never ink, so dW1[0, j] = 0
    metrics = {m.label: number(m.value) for m in at.metric}
    assert metrics["Backprop gradient"] == 0 and metrics["Slope (L₊ − L₋) / 2ε"] == 0
    assert any("exactly 0" in i.value for i in at.info)


def test_a_check_on_a_digit_the_model_is_sure_of_says_rounding_is_at_work_not_a_bug(fast):
    P = fast.predict_proba(dataset("mnist").X_test)
    sure = int(np.argmax(P[np.arange(10000), dataset("mnist").test_labels]))   # the digit whose loss is smallest
    at = how_it_works(sure, "Check a gradient")
    assert any("float precision, not a bug" in i.value for i in at.info)
    at = how_it_works(0, "Check a gradient")                           # an ordinary digit: no such note
    assert not any("float precision" in i.value for i in at.info)


@pytest.mark.parametrize("source", ["wrong", "unsure"])
def test_the_digit_a_learner_picks_is_one_the_model_gets_wrong_or_is_unsure_of_and_every_step_uses_it(fast, source):
    at = how_it_works()
    at.segmented_control(key="hiw_source").set_value(source).run()
    digit = at.session_state["hiw_digit"]
    data = dataset("mnist")
    P = fast.predict_proba(data.X_test)
    if source == "wrong":
        assert P[digit.index].argmax() != data.test_labels[digit.index]
    else:
        assert P[digit.index].max() <= np.sort(P.max(axis=1))[99]     # among the 100 least sure
    assert np.array_equal(digit.x, data.X_test[digit.index]) and digit.label == data.test_labels[digit.index]
    assert any(f"Test digit #{digit.index:,}, labelled **{digit.label}**" in m.value for m in at.markdown)
    next(b for b in at.button if b.label == "Another one like it").click().run()
    assert at.session_state["hiw_digit"].index != digit.index
    digit = at.session_state["hiw_digit"]
    on_step(at, "Forward")
    w = walkthrough(fast, digit.x, digit.label)
    assert np.allclose(array(figure(at, "hiw_Z1")["data"][0]["y"]), w.fwd.Zs[0][0], atol=1e-5)


def test_the_learners_last_drawing_is_where_the_page_starts_and_a_new_drawing_comes_first():
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "draw")
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    at.run()
    open_page(at, "how_it_works")
    digit = at.session_state["hiw_digit"]
    assert digit.source == "drawing" and digit.index is None and digit.label == 7      # labelled with the guess
    assert np.array_equal(digit.x, at.session_state["last_digit"])
    assert at.segmented_control(key="hiw_source").options[0] == "Your last drawing"
    assert any(m.value.startswith("Your drawing, labelled **7**") for m in at.markdown)
    at.segmented_control(key="hiw_source").set_value("wrong").run()
    assert at.session_state["hiw_digit"].index is not None
    open_page(at, "draw")
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": zero_png()}}
    at.run()
    open_page(at, "how_it_works")
    digit = at.session_state["hiw_digit"]
    assert digit.source == "drawing" and digit.label == 0 and np.array_equal(digit.x, at.session_state["last_digit"])


def test_one_step_on_a_wrong_digit_visibly_lowers_its_loss_and_undo_restores_the_exact_weights(fast):
    data = dataset("mnist")
    wrong = int(np.flatnonzero(fast.predict(data.X_test) != data.test_labels)[0])
    at = how_it_works(wrong, "One step")
    x, label = data.X_test[wrong], int(data.test_labels[wrong])
    next(b for b in at.button if b.label.startswith("Take one gradient step")).click().run()
    assert picker(at).value == "taught:shipped:fast"
    moved = next(m.value for m in at.markdown if "the loss went from" in m.value)
    before, after = (number(v) for v in moved.split("**")[1:4:2])
    assert before == pytest.approx(walkthrough(fast, x, label).loss, rel=1e-3)
    assert after == pytest.approx(walkthrough(gradient_step(fast, x, label, 0.01), x, label).loss, rel=1e-3)
    assert before - after > 0.5               # one step on a digit it got wrong: a change a class can see
    assert at.session_state["hiw_digit"].index == wrong                   # the taught model keeps the same digit
    taught = at.session_state["session_models"]["taught:shipped:fast"].network
    assert not np.array_equal(taught.weights[0], fast.weights[0])
    shipped, _ = load_model(WEIGHTS / "fast.npz")
    from ui.resources import shipped_models
    shared = shipped_models()[0]["shipped:fast"].network
    assert all(np.array_equal(a, b) for a, b in zip(shared.weights, shipped.weights))  # the shared model is untouched
    next(b for b in at.button if b.label.startswith("Take one gradient step")).click().run()  # a second step
    next(b for b in at.button if b.label.startswith("Undo")).click().run()
    after_undo = at.session_state["session_models"]["taught:shipped:fast"].network
    first_step = gradient_step(fast, x, label, 0.01)
    assert all(np.array_equal(a, b) for a, b in zip(after_undo.weights, first_step.weights))  # exactly step 1
    next(b for b in at.button if b.label.startswith("Undo")).click().run()
    assert picker(at).value == "shipped:fast"


def test_draw_page_shows_saliency_and_teaching_moves_the_prediction(fast):
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    open_page(at, "draw")
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    at.run()
    assert at.metric[0].value == "7"
    shown = array(figure(at, "draw_saliency")["data"][0]["z"]).reshape(-1)
    x = at.session_state["last_digit"]
    shares = integrated_gradients(fast, x, 7, steps=32)
    assert np.allclose(shown, shares, atol=1e-6)
    assert np.all(shown[x == 0] == 0) and np.count_nonzero(shown) > 50   # only inked pixels carry a share
    z = lambda image: fast.forward(image[None]).logits[0, 7]
    assert any(f"add up to **{shares.sum():.2f}**, close to the rise of z_7 from {z(np.zeros(784)):.2f}" in c.value
               for c in at.caption)
    assert any("Integrated gradients" in c.value for c in at.caption)   # the page names its method
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
    assert figures["98.10%"] == "our target 98%" and figures["91.13%"] == "published 85%"
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
            assert [a["text"] for a in diagram][:3] == ["<b>784</b> pixels", "<b>30</b> neurons", "<b>10</b> outputs"]
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
