"""The One neuron first page through AppTest: the line follows the sliders, and the numbers shown are core's."""
import numpy as np
import pytest

from core.toy import MOMENTS, STEPS, TOY_DATASETS, grid, learn
from tests.test_pages import app, array, figure, open_page  # noqa: F401 (app is a fixture)
from ui.shell import PAGES

LINE = "w1 x1 + w2 x2 + b = 0"


@pytest.fixture
def page(app):  # noqa: F811
    return open_page(app, "one_neuron")


def drawn_line(at) -> np.ndarray:
    """The two ends of the neuron's line, as drawn: [[x1, x2], [x1, x2]]."""
    line = next(trace for trace in figure(at, "neuron_plane")["data"] if trace.get("name") == LINE)
    return np.column_stack([array(line["x"]), array(line["y"])])


def points_right(at) -> int:
    metric = next(m for m in at.metric if m.label == "Points on their class's side")
    return int(metric.value.split(" of ")[0])


def slide(at, **values):
    for name, value in values.items():
        at.slider(key=f"neuron_{name}").set_value(value)
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_the_page_comes_between_the_dataset_explorer_and_train():
    titles = [title for _, title, _ in PAGES]
    assert titles[titles.index("One neuron first") - 1:][:3] == ["Dataset explorer", "One neuron first", "Train"]


def test_the_sliders_move_the_line_it_draws(page):
    for w1, w2, b in ((1.0, -1.0, 0.0), (0.5, 2.0, -1.2), (-2.0, 0.3, 0.7)):
        slide(page, w1=w1, w2=w2, b=b)
        ends = drawn_line(page)
        assert np.allclose(ends @ [w1, w2] + b, 0, atol=1e-9)          # both ends on w1 x1 + w2 x2 + b = 0
        assert np.allclose(np.abs(ends).max(axis=1), 2.5)              # where it enters and leaves the plane
    assert r"z = -2\,x_1 + 0.3\,x_2 + 0.7" in [e.value for e in page.get("latex")][0]


def test_the_shading_is_the_neuron_s_output_over_the_plane(page):
    slide(page, w1=1.5, w2=-0.5, b=0.4)
    page.selectbox(key="neuron_activation").set_value("tanh").run()
    shade = figure(page, "neuron_plane")["data"][0]
    axis, points = grid()
    expected = np.tanh(1.5 * points[:, 0] - 0.5 * points[:, 1] + 0.4).reshape(len(axis), len(axis))
    assert np.allclose(array(shade["z"]), expected, atol=1e-6) and np.allclose(array(shade["x"]), axis)


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_the_points_on_their_side_are_counted_right(page, name):
    page.segmented_control(key="toy_dataset").set_value(name).run()
    X, y = TOY_DATASETS[name].make()
    for w1, w2, b in ((1.0, -1.0, 0.0), (0.0, 1.0, 0.3), (-2.5, 0.4, 1.1)):
        slide(page, w1=w1, w2=w2, b=b)
        class_1_side = w1 * X[:, 0] + w2 * X[:, 1] + b > 0
        assert points_right(page) == np.sum(class_1_side == (y == 1))


def test_pressing_train_shows_a_falling_loss_and_a_boundary_that_classifies_the_points(page):
    assert not [m for m in page.metric if m.label == "Loss"]                       # nothing trained yet
    next(b for b in page.button if b.label == "Train").click().run()
    assert not page.exception, [e.value for e in page.exception]
    metrics = {m.label: m for m in page.metric}
    assert float(metrics["Points classified right"].value.rstrip("%")) >= 97
    last_loss = float(metrics["Loss"].value)
    page.select_slider(key="toy_moment").set_value(0).run()
    first_loss = float(next(m for m in page.metric if m.label == "Loss").value)
    assert first_loss > 0.5 and last_loss < first_loss / 5                         # ln 2 = 0.69 for a first guess
    curve = array(figure(page, "toy_loss")["data"][0]["y"])
    assert len(curve) == STEPS + 1 and curve[0] == pytest.approx(first_loss, rel=1e-3)
    assert curve[-1] == pytest.approx(last_loss, rel=1e-3)


def test_the_gradients_shown_are_core_s_for_the_chosen_moment(page):
    next(b for b in page.button if b.label == "Train").click().run()
    X, y = TOY_DATASETS["xor"].make()
    lesson = learn(X, y, 4, "tanh", 0)                                              # the page's default settings
    for step in (0, 20, STEPS):
        page.select_slider(key="toy_moment").set_value(step).run()
        network = lesson.moments[MOMENTS.index(step)].network
        _, gradients = network.gradients(X, y)                                      # core's, computed here
        shown = array(figure(page, "toy_gradients")["data"][0]["z"])
        assert shown.shape == (5, 5)                                                # 4 neurons and the output biases
        assert np.allclose(shown[:4, :2], gradients["W1"].T)                        # row j: x1 -> j, x2 -> j
        assert np.allclose(shown[:4, 2], gradients["b1"]) and np.allclose(shown[:4, 3:], gradients["W2"])
        assert np.allclose(shown[4, 3:], gradients["b2"]) and np.isnan(shown[4, :3]).all()
        boundary = figure(page, "toy_boundary")["data"][0]
        assert np.allclose(array(boundary["z"]).ravel(), network.predict_proba(grid()[1])[:, 1], atol=1e-6)


def test_another_width_and_activation_train_a_network_of_that_shape(page):
    page.slider(key="toy_hidden").set_value(6).run()
    page.selectbox(key="toy_activation").set_value("relu").run()
    next(b for b in page.button if b.label == "Train").click().run()
    assert figure(page, "toy_gradients")["data"][0]["y"][:6] == [f"neuron {j}" for j in range(6)]
    assert "2 → 6 → 2" in " ".join(c.value for c in page.caption)
