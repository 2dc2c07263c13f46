"""The lab's "Stress it": the spoilt digit, its prediction and the test-set curves against core's own computation."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import load_mnist
from core.evaluate import SHIFT_IMAGES
from core.io import load_model
from core.perturb import CURVES, accuracy_under, add_noise, occlude, rotate, shift, thicken
from tests.test_pages import TIMEOUT, array, figure, open_page
from tests.test_weights import WEIGHTS


@pytest.fixture
def lab():
    at = open_page(AppTest.from_file("../app.py", default_timeout=TIMEOUT).run(), "lab")
    at.segmented_control(key="lab_experiment").set_value("Stress it").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_sliders_spoil_the_learners_drawing_and_the_prediction_follows(lab):
    drawing = np.zeros((28, 28))
    drawing[6:22, 12:16] = 1.0                                  # a plain 1
    lab.session_state["last_digit"] = drawing.ravel()
    for key, value in {"robust_degrees": 30, "robust_thickness": 1, "robust_dx": 3, "robust_dy": -2,
                       "robust_square": 6, "robust_row": 4, "robust_col": 10, "robust_noise": 0.2}.items():
        lab.slider(key=key).set_value(value)
    lab.run()
    assert not lab.exception
    by_hand = add_noise(occlude(shift(thicken(rotate(drawing[None], 30), 1), -2, 3), 6, 4, 10), 0.2, 0)[0]
    shown = array(figure(lab, "robust_digit")["data"][0]["z"])
    assert np.allclose(shown, by_hand)
    assert "Your latest drawing" in figure(lab, "robust_digit")["layout"]["title"]["text"]
    network, _ = load_model(WEIGHTS / "fast.npz")
    P = network.predict_proba(by_hand.reshape(1, 784))[0]
    assert np.allclose(array(figure(lab, "robust_probabilities")["data"][0]["y"]), P, atol=1e-6)
    assert lab.metric[0].value == str(P.argmax())


def test_the_curves_are_cores_accuracy_for_the_current_dense_and_convolutional_models(lab):
    lab.segmented_control(key="robust_curve").set_value("occlusion").run()
    traces = figure(lab, "robust_curves")["data"]
    names = [t["name"].split(" · ")[0] for t in traces]
    assert names[0] == "fast" and "cnn-99" in names and len(names) == len(set(names))
    images, labels = load_mnist("test")
    for trace, name in zip(traces, names):
        network, _ = load_model(WEIGHTS / f"{name}.npz")
        expected = accuracy_under(network, images[:SHIFT_IMAGES], labels[:SHIFT_IMAGES], "occlusion")
        assert np.allclose(array(trace["y"]), expected)
        assert list(array(trace["x"])) == list(CURVES["occlusion"][1])
    lab.segmented_control(key="robust_curve").set_value("shift").run()
    assert np.allclose(array(figure(lab, "robust_curves")["data"][0]["y"]),
                       accuracy_under(load_model(WEIGHTS / "fast.npz")[0], images[:SHIFT_IMAGES],
                                      labels[:SHIFT_IMAGES], "shift"))
