"""The convolutional network on every page, through AppTest: what each view shows, checked against core."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.nn.cnn import ConvNet
from core.nn.conv import conv_forward
from core.data import load_mnist, to_inputs
from core.nn.losses import OUTPUTS
from core.io import load_model
from tests.test_numbers import number
from tests.test_pages import TIMEOUT, WEIGHTS, array, figure, open_page, picker, seven_png
from pages.sections.explain_convolution import matrix
from pages.sections.explain import Digit
from ui.numbers import latex, readable

CNN = "shipped:cnn-99"


@pytest.fixture(scope="module")
def cnn():
    return load_model(WEIGHTS / "cnn-99.npz")[0]


@pytest.fixture
def cnn_app():
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    picker(at).set_value(CNN).run()
    assert not at.exception
    return at


def test_home_walks_through_every_layer_shape_of_the_cnn(cnn_app, cnn):
    table = cnn_app.dataframe[0].value
    assert table["layer"].tolist()[0].startswith("conv 16@5×5")
    assert table["output of one image"].tolist() == [" × ".join(map(str, s)) for _, s in cnn.layer_shapes()]


def test_train_page_offers_the_cnn_presets_with_a_time_estimate_and_limits(cnn_app):
    at = open_page(cnn_app, "train")
    at.selectbox(key="train_preset").set_value("lenet").run()
    assert at.text_input(key="train_convs").value == "6@5 same, 16@5 valid"
    assert at.text_input(key="train_hidden").value == "120, 84"
    estimate = [c.value for c in at.caption if "Estimated training time" in c.value]
    assert estimate and "4 epoch(s) of 55,000 images" in estimate[0]
    assert not at.button[0].disabled
    at.select_slider(key="train_batch").set_value("full batch").run()
    assert any("batches of at most 256" in e.value for e in at.error) and at.button[0].disabled
    at.select_slider(key="train_batch").set_value(64).run()
    at.text_input(key="train_convs").set_value("8@5 same, 16@5 same, 32@3 same").run()
    assert any("at most 2" in e.value for e in at.error)
    presets = at.dataframe[-1].value
    assert "conv 6@5×5 same" in presets.set_index("preset").loc["lenet", "network"]


def test_a_short_cnn_training_shows_its_filters_learning_and_becomes_current(cnn_app):
    at = open_page(cnn_app, "train")
    at.selectbox(key="train_preset").set_value("lenet").run()
    at.select_slider(key="train_size").set_value(500)
    at.number_input(key="train_epochs").set_value(1)
    at.run()
    at.button[0].click().run()
    job = at.session_state["training_job"]
    job.wait(120)
    at.run()
    assert job.status == "done", job.message
    filters = figure(at, "live_neurons")
    assert filters["layout"]["title"]["text"] == "6 first-layer filters, as they learn"
    assert "conv 6@5×5" in at.sidebar.caption[0].value
    assert isinstance(job.trainer.network, ConvNet)


def test_weights_page_shows_the_filters_and_the_feature_maps_of_a_test_digit(cnn_app, cnn):
    at = open_page(cnn_app, "weights")
    assert at.title[0].value == "What the filters learned"
    first = figure(at, "weights_filters_1")
    grid = array(first["data"][0]["z"])
    K1 = cnn.params()["K1"]
    assert np.allclose(grid[:5, :5], K1[:, :, 0, 0], atol=1e-6)           # filter 0, top-left tile
    assert "16 filters of 5×5" in first["layout"]["title"]["text"]
    assert "32 filters (rows) of 5×5×16" in figure(at, "weights_filters_2")["layout"]["title"]["text"]
    at.number_input(key="weights_maps_index").set_value(3).run()
    x = to_inputs(load_mnist("test")[0][3:4])[0]
    maps = dict(cnn.feature_maps(x))
    conv1 = figure(at, "weights_maps_0")
    assert conv1["layout"]["title"]["text"] == "After convolution 1 + relu: 16 maps of 28×28"
    assert np.allclose(array(conv1["data"][0]["z"])[:28, :28], maps["convolution 1 + relu"][:, :, 0], atol=1e-5)
    assert figure(at, "weights_maps_3")["layout"]["title"]["text"] == "After max-pool 2: 32 maps of 5×5"


def test_weights_page_labels_convolution_2s_tiles_and_shows_a_chosen_one_at_work(cnn_app, cnn):
    at = open_page(cnn_app, "weights")
    tiles = figure(at, "weights_filters_2")
    layout, targets = tiles["layout"], tiles["data"][1]
    assert layout["yaxis"]["ticktext"] == [f"filter {f}" for f in range(32)]
    assert layout["xaxis"]["ticktext"] == ["map 0", "1", "2", "3", "4", "map 5", "6", "7", "8", "9", "map 10", "11",
                                           "12", "13", "14", "map 15"]
    assert array(targets["customdata"]).tolist() == list(range(512))  # a click on tile f * 16 + c reports it
    K2 = cnn.params()["K2"]                                            # (5, 5, 16, 32)
    c, f = np.unravel_index(np.linalg.norm(K2.reshape(25, 16, 32), axis=0).argmax(), (16, 32))
    assert targets["selectedpoints"] == [int(f * 16 + c)]             # opens on the strongest slice
    at.session_state[f"weights_tile_{CNN}"] = 3 * 16 + 5                 # what a click on filter 3, map 5 does
    at.number_input(key="weights_maps_index").set_value(3).run()
    x = to_inputs(load_mnist("test")[0][3:4])[0]
    maps = dict(cnn.feature_maps(x))
    pooled, out = maps["max-pool 1"], maps["convolution 2 + relu"]
    assert np.allclose(array(figure(at, "weights_slice_in")["data"][0]["z"]), pooled[:, :, 5], atol=1e-5)
    assert np.allclose(array(figure(at, "weights_slice_slice")["data"][0]["z"]), K2[:, :, 5, 3], atol=1e-6)
    part = conv_forward(pooled[None, :, :, 5:6], K2[:, :, 5:6, 3:4], np.zeros(1), "valid")[0][0, :, :, 0]
    assert np.allclose(array(figure(at, "weights_slice_part")["data"][0]["z"]), part, atol=1e-5)
    assert np.allclose(array(figure(at, "weights_slice_out")["data"][0]["z"]), out[:, :, 3], atol=1e-5)
    assert figure(at, "weights_filters_2")["data"][1]["selectedpoints"] == [3 * 16 + 5]


def test_drawing_with_the_cnn_predicts_seven_and_shows_its_feature_maps(cnn_app):
    at = open_page(cnn_app, "draw")
    at.session_state["canvas"] = {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": seven_png()}}
    at.run()
    assert not at.exception
    assert at.metric[0].value == "7"
    assert any(s.value == "What the filters see in this drawing" for s in at.subheader)
    assert figure(at, "draw_maps_1")["layout"]["title"]["text"] == "After max-pool 1: 16 maps of 14×14"


def test_how_it_works_computes_one_convolution_output_with_the_real_numbers(cnn_app, cnn):
    at = open_page(cnn_app, "how_it_works")
    assert at.segmented_control(key="hiw_step").options == ["1. The digit", "2. Convolution", "3. Pooling",
                                                            "4. Kernel gradient"]
    assert any(i.value.startswith("The layer-by-layer") for i in at.info)
    x = to_inputs(load_mnist("test")[0][:1])[0]
    at.session_state["hiw_digit"] = Digit("random", x, 7, 0, CNN, None)       # test digit 0, a 7
    at.segmented_control(key="hiw_step").set_value("Convolution").run()
    at.number_input(key="hiw_conv_filter").set_value(2)
    at.slider(key="hiw_conv_row").set_value(9)
    at.slider(key="hiw_conv_col").set_value(12)
    at.run()
    K, b = cnn.params()["K1"].astype(np.float64), cnn.params()["b1"].astype(np.float64)
    z = conv_forward(x.reshape(1, 28, 28, 1).astype(np.float64), K, b, "same")[0][0, 9, 12, 2]
    formula = " ".join(l.value for l in at.latex)
    assert f"= {latex(z)}," in formula                                  # z = Σ x K + b, the conv_forward value
    patch = np.pad(x.reshape(28, 28), 2)[9:14, 12:17]
    assert matrix(patch * K[:, :, 0, 2]) in formula                     # patch ⊙ K, entry by entry
    at.segmented_control(key="hiw_step").set_value("Pooling").run()
    assert any("max =" in m.value for m in at.markdown)
    at.segmented_control(key="hiw_step").set_value("Kernel gradient").run()
    exact = cnn.copy(np.float64)                                         # backward: filter 2's kernel gradient
    fwd = exact.forward(x[None].astype(np.float64))
    dK = exact.backward(fwd, OUTPUTS["softmax"].delta(fwd.P, np.array([7])))["K1"][:, :, 0, 2]
    i, j = np.unravel_index(np.argmax(np.abs(dK)), dK.shape)
    shown = {m.label: m.value for m in at.metric}
    assert shown["dK by backprop (colsᵀ dZ)"] == readable(dK[i, j]) == shown["dK by the sum over positions"]
    rounding = np.finfo(np.float64).eps / (2 * 1e-4) / abs(dK[i, j])  # each loss is off by ~1e-16 (p near 1)
    assert number(shown["Relative error"]) < max(1e-6, 10 * rounding)  # agreement down to float precision
    assert number(shown["dK by nudging K ±1 × 10⁻⁴"]) == pytest.approx(dK[i, j], rel=1e-3)


def test_step_tables_show_zero_products_as_zero_not_minus_zero():
    from pages.sections.explain_convolution import grid_table
    shown = grid_table(np.array([[0.0 * -0.7, -0.0001], [0.25, -0.5]]), highlight=(1, 1)).to_html()
    assert "-0.000" not in shown and shown.count(">0.000<") == 2
    assert ">0.250<" in shown and ">-0.500<" in shown and "#f4c7c3" in shown


def test_how_it_works_for_a_dense_model_ends_with_the_shipped_cnns_convolution(cnn_app):
    picker(cnn_app).set_value("shipped:fast").run()
    at = open_page(cnn_app, "how_it_works")
    assert at.segmented_control(key="hiw_step").options[-3:] == ["8. Convolution", "9. Pooling", "10. Kernel gradient"]
    at.segmented_control(key="hiw_step").set_value("Convolution").run()
    assert any("the shipped convolutional network **cnn-99" in m.value for m in at.markdown)
    assert figure(at, "hiw_conv_where")["layout"]["title"]["text"] == "the kernel's patch (padded image)"


def test_translation_experiment_plots_the_mlp_and_the_cnn_side_by_side(cnn_app):
    at = open_page(cnn_app, "evaluate")
    curves = figure(at, "shift_curves")["data"]
    assert [c["name"].split(" · ")[0] for c in curves] == ["fast", "cnn-99"]
    dense, conv = array(curves[0]["y"]), array(curves[1]["y"])
    assert len(dense) == len(conv) == 7
    assert conv[0] > 0.98 and dense[0] > 0.97                           # unshifted, both read digits well
    assert conv[4] > dense[4] + 0.2                                     # 4 pixels: convolution keeps far more
    assert np.all(np.diff(dense) < 0)                                   # every pixel of shift costs the MLP
    images, labels = load_mnist("test")
    why = next(m.value for m in at.markdown if m.value.startswith("Why is the unshifted point"))
    for name, unshifted, said in (("fast", dense[0], "of them right "), ("cnn-99", conv[0], "")):
        network = load_model(WEIGHTS / f"{name}.npz")[0]                # the zero-shift point: the first 1,000 digits
        right = int(np.sum(network.predict(to_inputs(images[:1000])) == labels[:1000]))
        assert unshifted == pytest.approx(right / 1000, abs=1e-6)
        whole = network.accuracy(to_inputs(images), labels)
        assert f"{right:,} {said}({right / 1000:.1%}) against {whole:.2%}" in why
