"""The lab's "When it doesn't know", and the threshold it sets on Draw & predict, through AppTest."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.calibration import (DEFAULT_THRESHOLD, choose, confidence_and_correct, just_below, reliability,
                              scale_temperature)
from core.io import load_model
from tests.test_pages import TIMEOUT, array, blank_canvas, canvas_url, figure, images_in, open_page, seven_png
from tests.test_weights import WEIGHTS

EXPERIMENT = "When it doesn't know"


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()


def open_experiment(at):
    open_page(at, "lab")
    at.segmented_control(key="lab_experiment").set_value(EXPERIMENT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(scope="module")
def fast_answers(mnist_test):
    """(confidence, correct) of the shipped model `fast` on the test digits, from its own probabilities."""
    X, labels = mnist_test
    network, _ = load_model(WEIGHTS / "fast.npz")
    return confidence_and_correct(network.predict_proba(X), labels)


def shown_text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_threshold_sentence_curve_point_and_reliability_bars_are_cores_numbers(app, fast_answers):
    confidence, correct = fast_answers
    open_experiment(app)
    slider = app.select_slider(key="reject_threshold")
    assert slider.value == DEFAULT_THRESHOLD
    for threshold in (DEFAULT_THRESHOLD, 0.99):
        slider.set_value(threshold).run()
        choice = choose(confidence, correct, threshold)
        assert (f"answers **{choice.coverage:.1%}** of the 10,000 test images, and gets **{choice.accuracy:.1%}** "
                f"of those right; of the **{1 - choice.coverage:.1%}** it declines, it would have got "
                f"**{choice.declined_accuracy:.0%}** right") in shown_text(app)
        point = figure(app, "confidence_curve")["data"][1]
        assert point["x"] == pytest.approx([choice.coverage]) and point["y"] == pytest.approx([choice.accuracy])
    rel = reliability(confidence, correct)
    bars = figure(app, "confidence_reliability")["data"][0]
    filled = rel.counts > 0
    assert np.allclose(array(bars["y"]), rel.accuracy[filled]) and bars["text"] == [f"{n:,}" for n in rel.counts[filled]]
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Expected calibration error"] == f"{rel.ece:.2%}"
    assert metrics["Maximum calibration error"] == f"{rel.mce:.1%}"


def test_the_declined_digits_shown_are_the_surest_below_the_threshold(app, fast_answers, mnist_test):
    confidence, _ = fast_answers
    open_experiment(app)
    app.select_slider(key="reject_threshold").set_value(0.99).run()
    shown = images_in(app, "confidence_declined")
    expected = just_below(confidence, 0.99, 10)
    assert [caption.split(":")[0] for caption, _ in shown] == [f"#{i}" for i in expected]
    assert all(np.allclose(image, mnist_test[0][i].reshape(28, 28) * 255, atol=0.5) for (_, image), i in zip(shown, expected))


def test_temperature_scaling_shows_the_fitted_t_and_the_held_out_ece_before_and_after(app, mnist_test):
    X, labels = mnist_test
    network, _ = load_model(WEIGHTS / "fast.npz")
    fit = scale_temperature(network.forward(X).logits, labels)
    open_experiment(app)
    assert not any("T = " in m.value for m in app.markdown)  # only on request
    app.toggle(key="temperature_fit").set_value(True).run()
    assert (f"**T = {fit.temperature:.2f}**" in shown_text(app) and
            f"ECE goes from **{fit.ece_before:.2%}** to **{fit.ece_after:.2%}**" in shown_text(app))


def plus_png() -> str:
    """A plus sign: fast calls it a 4, only 82 % sure (below the default threshold of 90 %)."""
    img = blank_canvas()
    img[60:220, 130:150, :3] = 255
    img[130:150, 60:220, :3] = 255
    return canvas_url(img)


def draw(at, data_url):
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": data_url}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.metric[0]


def test_draw_says_not_sure_below_the_threshold_and_the_digit_above_it(app):
    open_page(app, "draw")
    prediction = draw(app, plus_png())
    assert prediction.value == "not sure" and prediction.delta.startswith("best guess 4, 82")
    assert any(link.label.startswith("Below the 90% threshold") for link in app.get("page_link"))
    assert draw(app, seven_png()).value == "7"


def test_a_threshold_lowered_in_the_lab_lets_draw_answer(app):
    open_experiment(app)
    app.select_slider(key="reject_threshold").set_value(0.8).run()
    open_page(app, "draw")
    assert draw(app, plus_png()).value == "4"
