"""The lab's "Silence neurons" through AppTest: what it shows, checked against core's own forward passes."""
import numpy as np
import pytest

from core.nn.ablation import Edits, edited, per_class_accuracy
from tests.test_ablation import weights_hash
from tests.test_pages import app, array, figure, open_page, picker  # noqa: F401 (app is a fixture)
from ui.resources import shipped_models

EXPERIMENT = "Silence neurons"


def lab(at, model: str | None = None):
    if model:
        picker(at).set_value(model).run()
    open_page(at, "lab")
    at.segmented_control(key="lab_experiment").set_value(EXPERIMENT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def after(at) -> str:
    return next(m for m in at.metric if m.label == "After").value


def silenced(at) -> list:
    return at.multiselect[0].value


def test_silencing_neurons_shows_the_accuracy_core_computes_per_digit_and_for_the_drawing(app, mnist_test):
    X, y = mnist_test
    shipped = shipped_models()[0]["shipped:fast"].network
    before_hash = weights_hash(shipped)
    at = lab(app)
    drawing = X[42]
    at.session_state["last_digit"] = drawing                  # as the Draw page leaves the learner's last drawing
    at.multiselect[0].set_value([1, 2, 3, 50, 200]).run()
    network = edited(shipped, Edits().silence(0, [1, 2, 3, 50, 200]))
    predicted = network.predict(X)
    assert after(at) == f"{np.mean(predicted == y):.2%}"
    assert next(m for m in at.metric if m.label.startswith("Test accuracy before")).value == f"{shipped.accuracy(X, y):.2%}"
    bars = figure(at, "ablation_classes")["data"]
    np.testing.assert_allclose(array(bars[0]["y"]), per_class_accuracy(shipped.predict(X), y), atol=1e-6)
    np.testing.assert_allclose(array(bars[1]["y"]), per_class_accuracy(predicted, y), atol=1e-6)
    probabilities = figure(at, "ablation_drawing")["data"]
    np.testing.assert_allclose(array(probabilities[0]["y"]), shipped.predict_proba(drawing[None])[0], atol=1e-5)
    np.testing.assert_allclose(array(probabilities[1]["y"]), network.predict_proba(drawing[None])[0], atol=1e-5)
    said = [c.value for c in at.caption if "your last drawing" in c.value]
    assert said == [f"The probabilities for your last drawing: predicted **{shipped.predict(drawing[None])[0]}** "
                    f"before, **{network.predict(drawing[None])[0]}** after."]
    assert weights_hash(shipped) == before_hash


def test_undo_steps_back_through_the_edits_and_reset_clears_them(app, mnist_test):
    at = lab(app)
    start = after(at)
    at.button(key="ablation_important").click().run()
    important, units = after(at), silenced(at)
    assert len(units) == 10 and important != start
    at.button(key="ablation_random").click().run()
    assert len(silenced(at)) == 10 and silenced(at) != units
    at.button(key="ablation_undo").click().run()
    assert (after(at), silenced(at)) == (important, units)
    at.button(key="ablation_random").click().run()
    at.button(key="ablation_reset").click().run()
    assert (after(at), silenced(at)) == (start, [])
    assert at.button(key="ablation_undo").disabled


def test_one_weight_scaled_shows_its_new_value_and_the_edited_models_accuracy(app, mnist_test):
    X, y = mnist_test
    shipped = shipped_models()[0]["shipped:fast"].network
    at = lab(app)
    at.selectbox(key="ablation_weight_name").set_value("W2")
    at.number_input(key="ablation_weight_row").set_value(10)
    at.number_input(key="ablation_weight_column").set_value(4)
    at.number_input(key="ablation_weight_number").set_value(-40.0).run()
    at.button(key="ablation_weight_apply").click().run()
    network = edited(shipped, Edits().edit_weight("W2", 10, 4, "scale", -40.0))
    assert any(f"W2[10, 4] is now {-40 * shipped.weights[1][10, 4]:+.4f}" in c.value for c in at.caption)
    assert after(at) == f"{network.accuracy(X, y):.2%}"
    at.button(key="ablation_undo").click().run()
    assert any(f"W2[10, 4] is now {shipped.weights[1][10, 4]:+.4f}" in c.value for c in at.caption)


def test_use_this_model_makes_the_edited_copy_current(app):
    weights_digest = shipped_models()[0]["shipped:fast"].network.digest()
    at = lab(app)
    at.button(key="ablation_important").click().run()
    at.button(key="ablation_use").click().run()
    assert at.session_state["current_model"] == "edited:shipped:fast"
    network = at.session_state["session_models"]["edited:shipped:fast"].network
    units = at.session_state["lab_ablation"]["shipped:fast", weights_digest][-1].silenced_in(0)
    assert len(units) == 10 and not network.weights[1][list(units)].any()   # the silenced neurons' outgoing weights
    assert all(W.flags.writeable for W in network.weights)    # its own copy, not the read-only one every session shares
    assert "fast · edited" in at.markdown[0].value


@pytest.mark.parametrize("layer", [0, 2])
def test_the_cnn_silences_filters_or_neurons_on_its_first_thousand_test_images(app, mnist_test, layer):
    X, y = mnist_test[0][:1000], mnist_test[1][:1000]
    cnn = shipped_models()[0]["shipped:cnn-99"].network
    at = lab(app, "shipped:cnn-99")
    at.selectbox(key="ablation_layer:shipped:cnn-99").set_value(layer).run()
    at.multiselect[0].set_value([0, 3, 7]).run()
    assert any("first 1,000 test images" in c.value for c in at.caption)
    assert after(at) == f"{edited(cnn, Edits().silence(layer, [0, 3, 7])).accuracy(X, y):.2%}"
