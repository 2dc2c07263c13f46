"""The lab's Maps of the layers: the plotted points are core's PCA (or scikit-learn's t-SNE) of core's layer outputs."""
import numpy as np
import pytest
from sklearn.manifold import TSNE
from streamlit.testing.v1 import AppTest

from core.data import load_dataset, to_inputs
from core.io import load_model
from core.nn.maps import fit_pca, layer_outputs, map_subset
from ui.layer_maps import TSNE_INPUTS
from tests.test_pages import TIMEOUT, array, figure, open_page
from tests.test_weights import WEIGHTS
from ui.lab_maps_charts import CLASS_COLOURS

EXPERIMENT = "Maps of the layers"


@pytest.fixture(scope="module")
def mnist_test():
    images, labels = load_dataset("mnist", "test")
    return to_inputs(images), labels


@pytest.fixture
def lab():
    at = open_page(AppTest.from_file("../app.py", default_timeout=TIMEOUT).run(), "lab")
    at.segmented_control(key="lab_experiment").set_value(EXPERIMENT).run()
    return at


def plotted(fig) -> tuple:
    """(test digit numbers (N,), coordinates (N, 2), class of each point's trace (N,)) of the map's class traces."""
    traces = [t for t in fig["data"] if "customdata" in t]
    numbers = np.concatenate([array(t["customdata"]) for t in traces]).astype(int)
    coords = np.concatenate([np.column_stack([array(t["x"]), array(t["y"])]) for t in traces])
    classes = np.concatenate([np.full(len(array(t["x"])), k) for k, t in enumerate(traces)])
    order = np.argsort(numbers)
    return numbers[order], coords[order], classes[order], traces


def test_the_pca_map_of_the_hidden_layer_is_cores_pca_coloured_by_label_with_the_drawing_as_a_star(lab, mnist_test):
    X, labels = mnist_test
    lab.session_state["last_digit"] = X[1234]                       # as Draw & predict keeps the learner's drawing
    lab.selectbox(key="lab_maps_layer").set_value(1).run()          # hidden layer 1 of `fast`
    assert not lab.exception, [e.value for e in lab.exception]
    net, _ = load_model(WEIGHTS / "fast.npz")
    shown = map_subset(len(X))
    pca, expected = fit_pca(layer_outputs(net, X[shown], [1])[0])   # recomputed here: A1 of the 2,000 digits
    fig = figure(lab, "lab_maps_chart")
    numbers, coords, classes, traces = plotted(fig)
    assert np.array_equal(numbers, shown)
    assert coords == pytest.approx(expected, rel=1e-5, abs=1e-4)    # sent as float32
    assert np.array_equal(classes, labels[shown])                   # each point sits in its label's trace
    assert [t["marker"]["color"] for t in traces] == list(CLASS_COLOURS)
    assert [t["name"] for t in traces] == [str(k) for k in range(10)]
    star = next(t for t in fig["data"] if t["name"] == "your drawing")
    drawn = pca.transform(np.maximum(X[1234] @ net.weights[0] + net.biases[0], 0)[None])[0]   # A1 of the drawing
    assert [star["x"][0], star["y"][0]] == pytest.approx(drawn, rel=1e-5, abs=1e-4)
    assert "hidden layer 1 (256 relu), PCA" in fig["layout"]["title"]["text"]


def test_a_clicked_digit_appears_beside_the_map_with_its_label_and_the_models_answer(lab, mnist_test):
    X, labels = mnist_test
    net, _ = load_model(WEIGHTS / "fast.npz")
    shown = map_subset(len(X))
    number = int(shown[np.flatnonzero(net.predict(X[shown]) != labels[shown])[0]])   # one the model gets wrong
    lab.session_state["lab_map_digit"] = number                     # what a click on that point stores
    lab.run()
    picture = figure(lab, "lab_maps_digit")
    assert array(picture["data"][0]["z"]) == pytest.approx(X[number].reshape(28, 28), abs=1e-6)
    predicted = net.predict(X[number][None])[0]
    title = f"test digit #{number}<br>label {labels[number]}, predicted {predicted}"
    assert picture["layout"]["title"]["text"] == title
    ring = next(t for t in figure(lab, "lab_maps_chart")["data"] if t["name"] == f"test digit #{number}")
    assert ring["marker"]["size"] == 16


def test_the_tsne_map_is_scikit_learns_tsne_of_the_layers_first_principal_components_and_has_no_star(lab, mnist_test):
    X, labels = mnist_test
    lab.session_state["last_digit"] = X[1234]
    lab.selectbox(key="lab_maps_layer").set_value(0).run()          # the input pixels
    lab.segmented_control(key="lab_maps_method").set_value("t-SNE").run(timeout=600)   # ~10 s, far more when busy
    assert not lab.exception, [e.value for e in lab.exception]
    shown = map_subset(len(X))
    reduced = fit_pca(X[shown], TSNE_INPUTS)[1]                     # the 784 pixels -> their first 50 components
    expected = TSNE(2, init="pca", random_state=0, n_jobs=1).fit_transform(reduced)
    fig = figure(lab, "lab_maps_chart")
    numbers, coords, classes, _ = plotted(fig)
    assert np.array_equal(numbers, shown) and np.array_equal(classes, labels[shown])
    assert coords == pytest.approx(expected, rel=1e-5, abs=1e-3)
    assert not any(t["name"] == "your drawing" for t in fig["data"])
    assert any("your drawing appears on the PCA map only" in c.value for c in lab.caption)
