"""The Train page's layer statistics charts, after a short training: the numbers the Trainer recorded, per layer."""
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.nn.layer_stats import STATISTICS
from tests.test_pages import TIMEOUT, array, figure, open_page, start_training
from ui.layer_stats_charts import GUIDE_RATIO


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()


def test_a_finished_run_shows_each_layer_statistic_as_recorded(app):
    job = start_training(app, hidden="32, 16")
    assert job.status == "done", job.message
    recorded = job.trainer.layer_stats
    assert [p.step for p in recorded] == list(range(1, 17))  # 8 steps an epoch (1,000 images, 128 a batch): all
    epochs = [p.epoch for p in recorded]
    for statistic in STATISTICS:
        fig = figure(app, f"layer_stats_{statistic}")
        lines = [t for t in fig["data"] if t["name"] != "10⁻³ guide"]
        expected = np.array([getattr(p, statistic) for p in recorded])  # (points, layers)
        assert [t["name"] for t in lines] == ["W1", "W2", "W3"][:expected.shape[1]]
        for l, line in enumerate(lines):
            assert line["y"]["dtype"] == "f4"  # redrawn every second while training: kept small
            np.testing.assert_allclose(array(line["x"]), epochs, rtol=1e-6)
            np.testing.assert_allclose(array(line["y"]), expected[:, l], rtol=1e-6)
    assert figure(app, "layer_stats_grad_rms")["layout"]["yaxis"]["type"] == "log"
    ratio = figure(app, "layer_stats_update_ratio")
    assert ratio["layout"]["yaxis"]["type"] == "log"
    assert array(ratio["data"][-1]["y"]).tolist() == pytest.approx([GUIDE_RATIO] * 2)
    assert len(figure(app, "layer_stats_dead_share")["data"]) == 2  # the two hidden ReLU layers
    assert any("Update / weight" in c.value and "lower the learning rate" in c.value for c in app.caption)


def test_a_network_without_relu_shows_no_dead_unit_chart(app):
    open_page(app, "train")
    app.text_input(key="train_hidden").set_value("16")
    app.select_slider(key="train_size").set_value(500)
    app.number_input(key="train_epochs").set_value(1)
    app.selectbox(key="train_activation").set_value("sigmoid")
    app.run()
    app.button[0].click().run()  # Start
    job = app.session_state["training_job"]
    job.wait(120)
    app.run()
    assert job.status == "done" and job.trainer.layer_stats[0].dead_share.size == 0
    keys = [c.proto.id for c in app.get("plotly_chart")]
    assert any(k.endswith("-layer_stats_update_ratio") for k in keys)
    assert not any(k.endswith("-layer_stats_dead_share") for k in keys)
