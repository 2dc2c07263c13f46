"""The living diagram: what every connection carried (core), the figure's numbers (ui), and the pages that show it."""
import numpy as np
import pytest

from core.data import DATASETS
from core.io import load_model
from core.nn.conv import conv_forward
from core.nn.explain import contributions
from core.nn.network import Network
from tests.test_pages import TIMEOUT, array, figure, open_page, picker, start_training
from tests.test_weights import WEIGHTS
from ui.diagram import EDGES, SHOWN, WIDTHS, living_diagram, shown_units, unit_id, unit_of


@pytest.fixture(scope="module")
def fast():
    return load_model(WEIGHTS / "fast.npz")[0]


@pytest.fixture(scope="module")
def lenet():
    return load_model(WEIGHTS / "lenet.npz")[0]


def nodes(fig) -> dict:
    """{layer: (unit numbers, colour values, hover texts)} of a figure's node traces (as a dict or go.Figure)."""
    data = fig["data"] if isinstance(fig, dict) else [t.to_plotly_json() for t in fig.data]
    found = {}
    for trace in data:
        if "customdata" in trace:
            layer, units = zip(*(unit_of(u) for u in array(trace["customdata"])))
            found[layer[0]] = (np.array(units), array(trace["marker"]["color"]), list(trace["hovertext"]))
    return found


def test_a_hand_worked_example_of_what_each_connection_carries():
    W1, b1 = np.array([[1.0, -2.0], [0.5, 1.0]]), np.array([0.1, -0.3])
    W2, b2 = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([0.0, 0.5])
    flow = contributions(Network([W1, W2], [b1, b2]), np.array([2.0, 4.0]))
    assert flow.C[0].tolist() == [[2.0, -4.0], [2.0, 4.0]]  # x_i W1[i, j]: 2·1, 2·(-2); 4·0.5, 4·1
    assert flow.z[0] == pytest.approx([4.1, -0.3])           # 2 + 2 + 0.1; -4 + 4 - 0.3
    assert flow.values[1] == pytest.approx([4.1, 0.0])       # relu
    assert flow.C[1] == pytest.approx(np.array([[4.1, 8.2], [0.0, 0.0]]))  # a silent neuron carries nothing
    assert flow.z[1] == pytest.approx([4.1, 8.7])            # 4.1 + 0; 8.2 + 0.5
    assert flow.values[2] == pytest.approx(np.exp([4.1, 8.7]) / np.exp([4.1, 8.7]).sum())  # softmax
    assert flow.kinds == ["pixel", "neuron", "output"]


def test_the_contributions_into_every_dense_unit_add_up_to_its_sum_minus_its_bias(fast, mnist_test):
    x = mnist_test[0][0]
    flow, fwd = contributions(fast, x), fast.forward(x[None])
    for l, (C, z, b) in enumerate(zip(flow.C, flow.z, flow.b)):
        assert np.allclose(C.sum(axis=0), z - b, atol=1e-4)
        assert np.array_equal(z, fwd.Zs[l][0]) and np.array_equal(flow.values[l + 1], fwd.As[l + 1][0])
    assert np.array_equal(flow.z[-1], fwd.logits[0]) and np.array_equal(flow.values[-1], fwd.P[0])


def test_a_cnns_units_are_its_feature_maps_and_their_parts_add_up_to_each_maps_mean_sum(lenet, mnist_test):
    x = mnist_test[0][0]
    flow, maps = contributions(lenet, x), [m for _, m in lenet.feature_maps(x)]
    assert flow.kinds == ["map", "map", "map", "neuron", "neuron", "output"]
    assert [len(v) for v in flow.values] == [1, 6, 16, 120, 84, 10]
    image = x.reshape(1, 28, 28, 1)
    for l, before in ((1, image), (2, maps[1][None])):          # convolution l reads the image, then pool 1's maps
        K, b = lenet.params()[f"K{l}"], lenet.params()[f"b{l}"]
        z = conv_forward(before, K, b, lenet.convs[l - 1][2])[0][0]   # (H, W, F), computed apart
        assert np.allclose(flow.z[l - 1], z.mean(axis=(0, 1)), atol=1e-5)
        assert np.allclose(flow.C[l - 1].sum(axis=0) + b, flow.z[l - 1], atol=1e-5)
        assert np.allclose(flow.values[l], maps[2 * l - 1].mean(axis=(0, 1)), atol=1e-6)  # after activation + pool
    for l in range(3, 6):                                      # the dense layers: maps summed over their pixels
        assert np.allclose(flow.C[l - 1].sum(axis=0), flow.z[l - 1] - flow.b[l - 1], atol=1e-4)
    assert np.allclose(flow.z[-1], lenet.forward(x[None]).logits[0], atol=1e-6)


def test_a_nodes_colour_is_its_activation_and_the_outputs_carry_their_probabilities(fast, mnist_test):
    flow = contributions(fast, mnist_test[0][0])
    drawn = nodes(living_diagram(flow, "relu", "softmax", DATASETS["mnist"].classes))
    assert sorted(drawn) == [0, 1, 2]
    for l, (units, colours, _) in drawn.items():
        assert np.allclose(colours, flow.values[l][units])
    signed = Network.create((20,), "tanh", seed=1)            # tanh: negative activations keep their sign
    tanh_flow = contributions(signed, mnist_test[0][0])
    units, colours, _ = nodes(living_diagram(tanh_flow, "tanh", "softmax", range(10)))[1]
    assert np.allclose(colours, tanh_flow.values[1][units]) and colours.min() < 0
    hidden = flow.values[1]
    assert len(drawn[1][0]) == SHOWN and hidden[drawn[1][0]].min() >= np.sort(hidden)[-SHOWN]  # the most active
    assert drawn[2][0].tolist() == list(range(10))
    k = int(hidden.argmax())
    hover = drawn[1][2][list(drawn[1][0]).index(k)]
    z, b = flow.z[0][k], flow.b[0][k]
    assert f"a = relu(z) = {hidden[k]:.3f}" in hover
    assert f"= {z - b:.2f} {'−' if b < 0 else '+'} {abs(b):.2f} = {z:.2f}" in hover


def test_the_lines_are_the_strongest_contributions_coloured_by_sign_and_wide_by_size(fast, mnist_test):
    flow = contributions(fast, mnist_test[0][0])
    fig = living_diagram(flow, "relu", "softmax", range(10))
    units = [shown_units(flow, l) for l in range(3)]
    C = flow.C[1][np.ix_(units[1], units[2])]                 # into the outputs, between the drawn nodes
    lines = [(x0, y0, y1, t.line) for t in fig.data if t.mode == "lines"
             for x0, y0, y1 in zip(t.x[0::3], t.y[0::3], t.y[1::3]) if x0 == 1]   # each line: x0, x1, NaN
    assert len(lines) == min(EDGES, C.size)
    strongest = np.unravel_index(np.abs(C).argmax(), C.shape)
    widest = {line.color[:8] for *_, line in lines if line.width == WIDTHS[-1]}
    assert ("rgba(214" if C[strongest] > 0 else "rgba(31,") in widest
    for _, y0, y1, line in lines:                              # every line's sign is its colour's
        i = np.argmin(np.abs(np.linspace(1, -1, len(units[1])) - y0))
        j = np.argmin(np.abs(np.linspace(1, -1, 10) - y1))
        assert (C[i, j] > 0) == line.color.startswith("rgba(214")


def test_home_draws_the_current_model_for_test_image_0_and_opens_a_clicked_neuron(app_home, fast, mnist_test):
    flow = contributions(fast, mnist_test[0][0])
    drawn = nodes(figure(app_home, "home_diagram"))
    assert np.allclose(drawn[1][1], flow.values[1][drawn[1][0]], atol=1e-6)
    texts = " ".join(a["text"] for a in figure(app_home, "home_diagram")["layout"]["annotations"])
    assert "<b>784</b> pixels" in texts and "<b>256</b> neurons" in texts and "+240 more" in texts
    assert array(figure(app_home, "home_diagram_inputs")["data"][0]["y"]) == pytest.approx(flow.C[1][:, 7])  # a 7
    k = int(drawn[1][0][0])
    app_home.session_state["home_diagram_opened"] = unit_id(1, k)    # as a click on that node does
    app_home.run()
    weights = figure(app_home, "home_diagram_weights")
    assert weights["layout"]["title"]["text"] == f"neuron {k} of layer 1: its 784 weights"
    parts = array(figure(app_home, "home_diagram_parts")["data"][0]["z"]).reshape(-1)
    assert parts.sum() == pytest.approx(flow.z[0][k] - flow.b[0][k], abs=1e-4)


@pytest.fixture
def app_home():
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    assert not at.exception
    return at


def test_a_cnn_on_home_shows_its_maps_and_a_clicked_map_opens(app_home, lenet, mnist_test):
    picker(app_home).set_value("shipped:lenet").run()
    flow = contributions(lenet, mnist_test[0][0])
    drawn = nodes(figure(app_home, "home_diagram"))
    assert [len(drawn[l][0]) for l in range(6)] == [1, 6, 16, 16, 16, 10]
    assert np.allclose(drawn[2][1], flow.values[2], atol=1e-6)   # each map's mean after relu and pooling
    app_home.session_state["home_diagram_opened"] = unit_id(2, 3)
    app_home.run()
    assert figure(app_home, "home_diagram_map")["layout"]["title"]["text"].startswith("map 3 of convolution 2")
    assert array(figure(app_home, "home_diagram_inputs")["data"][0]["y"]) == pytest.approx(flow.C[1][:, 3], abs=1e-6)
    assert any("is not one weight" in c.value for c in app_home.caption)
    app_home.session_state["home_diagram_opened"] = unit_id(1, 2)    # convolution 1 reads the image: its kernel
    app_home.run()
    assert array(figure(app_home, "home_diagram_kernel")["data"][0]["z"]).ravel() == pytest.approx(
        lenet.params()["K1"][:, :, 0, 2].ravel())


def test_fashion_outputs_are_labelled_with_class_names_and_draw_shows_the_diagram(app_home):
    box = picker(app_home)
    box.set_value(next(o for o in box.options if o.startswith("fashion-fast"))).run()
    outputs = [t for t in figure(app_home, "home_diagram")["data"] if t.get("mode") == "markers+text"][0]
    assert outputs["text"][9].startswith("Ankle boot · ")
    open_page(app_home, "draw")
    assert nodes(figure(app_home, "draw_diagram"))[2][0].tolist() == list(range(10))


def test_while_it_trains_the_diagram_follows_the_network_the_training_sent(app_home, mnist_test):
    job = start_training(app_home)
    network = job.snapshot(with_weights=True).network
    live = figure(app_home, "live_diagram")
    flow = contributions(network, mnist_test[0][0])               # test image #0 until the learner draws
    drawn = nodes(live)
    assert np.allclose(drawn[1][1], flow.values[1][drawn[1][0]], atol=1e-6)
    assert all(array(t["marker"]["color"]).dtype == np.float32 for t in live["data"] if "customdata" in t)
    assert sum(len(array(t["x"])) // 3 for t in live["data"] if t["mode"] == "lines") <= 2 * EDGES  # kept small
    drawing = mnist_test[0][1234]
    app_home.session_state["last_digit"] = drawing
    app_home.run()
    outputs = nodes(figure(app_home, "live_diagram"))[2][1]
    assert np.allclose(outputs, network.predict_proba(drawing[None])[0], atol=1e-6)
