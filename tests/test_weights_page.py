"""The Weights page puts each hidden neuron in words: its numbers, checked against a direct computation."""
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.data import DATASETS, load_dataset, to_inputs
from core.io import load_model
from core.nn.explain import neuron_selectivity
from tests.test_pages import TIMEOUT, figure, images_in, open_page, picker
from tests.test_weights import WEIGHTS
from ui.numbers import percent
from ui.resources import ModelEntry

DEAD_COUNT = "never fire on the 10,000 test images"


@pytest.fixture(scope="module")
def mnist_test():
    images, labels = load_dataset("mnist", "test")
    return to_inputs(images), labels


def hidden_outputs(network, X) -> list:
    """Every hidden layer's output, written out by hand: A_l = f(A_{l-1} W_l + b_l)."""
    f = {"relu": lambda Z: np.maximum(Z, 0), "sigmoid": lambda Z: 1 / (1 + np.exp(-Z))}[network.activation]
    outputs, A = [], X.astype(np.float64)
    for W, b in zip(network.weights[:-1], network.biases[:-1]):
        A = f(A @ W + b)
        outputs.append(A)
    return outputs


def with_model(network, name: str = "made") -> AppTest:
    """The app on the Weights page with `network` (a model of MNIST digits) as this session's current model."""
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    key = f"test:{name}"
    at.session_state["session_models"] = {key: ModelEntry(key, name, network, {"dataset": "mnist"})}
    at.session_state["current_model"] = key
    return open_page(at, "weights")


def words(at) -> str:
    return next(m.value for m in at.markdown if re.match(r"Neuron \d+ ", m.value))


def badges(at) -> list:
    return [m.value for m in at.markdown if "-badge[" in m.value]


def numbered(at, key) -> list:
    """The image numbers in the captions of one grid of test images ('#2229 3: 0.00 z=-9.1' -> 2229)."""
    return [int(caption.split()[0].removeprefix("#")) for caption, _ in images_in(at, key)]


def test_the_words_say_what_core_computes_and_the_silencing_images_are_the_lowest(mnist_test):
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    open_page(at, "weights")
    network, _ = load_model(WEIGHTS / "fast.npz")
    X, y = mnist_test
    A = hidden_outputs(network, X)[0]                                 # (10000, 256)
    favourite, selectivity = neuron_selectivity(A, y)
    k = int(selectivity.argmax())
    means = np.array([A[y == c, k].mean() for c in range(10)])        # the class means, written out again
    text = words(at)
    assert text.startswith(f"Neuron {k} fires most for **{favourite[k]}**s (their mean is {selectivity[k]:.1f} "
                           f"standard deviations above") and favourite[k] == means.argmax()
    assert f"silenced most by **{means.argmin()}**s" in text
    assert f"stays at 0 on **{percent(np.mean(A[:, k] == 0))}** of the 10,000 test images" in text
    strongest = int(network.weights[1][k].argmax())
    assert text.split("it votes for ")[1].startswith(f"**{strongest}**")
    silencing, exciting = numbered(at, "neuron_silencing"), numbered(at, "neuron_exciting")
    assert len(silencing) == len(exciting) == 12
    others = np.setdiff1d(np.arange(len(y)), silencing)
    assert A[silencing, k].max() <= A[others, k].min()                # the 12 lowest activations
    Z = X.astype(np.float64) @ network.weights[0][:, k] + network.biases[0][k]
    assert silencing == np.argsort(Z, kind="stable")[:12].tolist()    # ties at 0: the furthest below 0 first
    assert exciting == np.argsort(-A[:, k], kind="stable")[:12].tolist()
    caption = images_in(at, "neuron_exciting")[0][0]
    assert caption == f"#{exciting[0]} {y[exciting[0]]}: {A[exciting[0], k]:.2f} z={Z[exciting[0]]:.1f}"


def test_every_hidden_layers_dead_count_equals_an_independent_count(mnist_test):
    network, _ = load_model(WEIGHTS / "3b1b-16-16.npz")
    counts = [int((A.max(axis=0) <= 0).sum()) for A in hidden_outputs(network, mnist_test[0])]
    at = with_model(network, "3b1b")
    line = next(m.value for m in at.markdown if DEAD_COUNT in m.value)
    assert line.endswith(f"hidden layer 1: **{counts[0]} of 16**; hidden layer 2: **{counts[1]} of 16**.")
    assert counts[0] > 0                                              # this model has dead neurons of its own


def test_a_neuron_killed_on_purpose_shows_the_badge_and_counts(mnist_test):
    network, _ = load_model(WEIGHTS / "fast.npz")
    network = network.copy()
    network.weights[0][:, 5], network.biases[0][5] = 0, -1.0          # z = -1 on every image: relu(z) = 0
    dead = (hidden_outputs(network, mnist_test[0])[0].max(axis=0) <= 0)
    at = with_model(network)
    assert f"hidden layer 1: **{dead.sum()} of 256**" in next(m.value for m in at.markdown if DEAD_COUNT in m.value)
    assert badges(at) == []                                           # it opens on a living, selective neuron
    at.number_input(key="weights_neuron_test:made").set_value(5).run()
    assert len(badges(at)) == 1 and "never fires" in badges(at)[0]
    assert words(at).startswith("Neuron 5 **never fires**: all 10,000 test images leave it at exactly 0.")
    at.segmented_control(key="weights_order").set_value("dead").run()
    tiles = figure(at, "weight_grid")["data"][1]
    first = [int(j) for j in tiles["customdata"][:dead.sum()]]
    assert first == np.flatnonzero(dead).tolist() and 5 in first      # dead first, in number order
    assert tiles["text"][0] == f"neuron {first[0]}: dead, never fires"
    box = picker(at)                                                  # a model whose neurons cannot die
    box.set_value(next(o for o in box.options if o.startswith("sigmoid"))).run()
    assert not at.exception and at.segmented_control(key="weights_order").value == "number"


def test_a_sigmoid_neuron_cannot_die_so_no_badge_even_when_its_weights_are_zero(mnist_test):
    network, _ = load_model(WEIGHTS / "sigmoid-16-16-mse.npz")
    network = network.copy()
    network.weights[0][:, 3], network.biases[0][3] = 0, -1.0          # sigmoid(-1) = 0.27 on every image
    at = with_model(network, "sigmoid")
    at.number_input(key="weights_neuron_test:sigmoid").set_value(3).run()
    assert badges(at) == [] and not any(DEAD_COUNT in m.value for m in at.markdown)
    assert any(m.value.startswith("A sigmoid neuron cannot die") for m in at.markdown)
    assert "stays at" not in words(at) and "dead first" not in at.segmented_control(key="weights_order").options


def test_a_model_of_clothes_speaks_of_its_classes():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    box = picker(at)
    box.set_value(next(o for o in box.options if o.startswith("fashion-fast"))).run()
    open_page(at, "weights")
    classes = DATASETS["fashion-mnist"].classes
    network, _ = load_model(WEIGHTS / "fashion-fast.npz")
    images, labels = load_dataset("fashion-mnist", "test")
    A = hidden_outputs(network, to_inputs(images))[0]
    favourite, selectivity = neuron_selectivity(A, labels)
    k = int(selectivity.argmax())
    assert words(at).startswith(f"Neuron {k} fires most for **{classes[favourite[k]]}** images")
    first = images_in(at, "neuron_exciting")[0][0]
    assert first.split(":")[0].split(" ", 1)[1] == classes[labels[int(first.split()[0][1:])]]
    assert figure(at, "neuron_votes")["data"][0]["x"] == list(classes)
    assert any("item of clothing" in str(option) for option in at.segmented_control(key="weights_order").options)
