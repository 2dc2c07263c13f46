"""Settings in the page address: a shared link fills the Train page; garbage is ignored with a message."""
from streamlit.testing.v1 import AppTest

from ui.classroom import settings_from_url, url_from_settings
from ui.settings import FIELDS, FULL_BATCH


def test_settings_round_trip_through_the_url():
    values = {"train_hidden": "16, 16", "train_activation": "tanh", "train_output": "sigmoid", "train_optimizer": "momentum",
              "train_lr": 0.05, "train_schedule": "step", "train_batch": FULL_BATCH, "train_epochs": 120,
              "train_l2": 0.0001, "train_dropout": 0.2, "train_seed": 7, "train_size": 10000, "train_augment": True}
    url = url_from_settings(values)
    assert url["hidden"] == "16,16" and url["batch"] == "full" and url["lr"] == "0.05" and url["augment"] == "on"
    back, ignored = settings_from_url(url)
    assert back == values and ignored == []


def test_garbage_in_the_url_is_ignored_with_a_reason():
    values, ignored = settings_from_url({"lr": "fast", "epochs": "9999", "activation": "<script>", "batch": "7",
                                         "hidden": "1,2,3,4,5", "seed": "3", "unknown": "x", "augment": "yes"})
    assert values == {"train_seed": 3}
    assert settings_from_url({"augment": "off"}) == ({"train_augment": False}, [])
    text = " ".join(ignored)
    assert "lr='fast' (not a number)" in text and "epochs='9999' (outside 1 to 500)" in text
    assert "activation='<script>'" in text and "batch='7'" in text and "hidden=" in text and "unknown" not in text
    assert "augment='yes' (write `on` or `off`.)" in text


def test_a_shared_link_fills_the_train_page_and_changes_follow_into_the_link():
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.query_params.update({"hidden": "30", "activation": "sigmoid", "lr": "0.5", "epochs": "3", "images": "5000",
                            "optimizer": "sgd", "batch": "full", "seed": "oops"})
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert at.text_input(key="train_hidden").value == "30"
    assert at.selectbox(key="train_activation").value == "sigmoid"
    assert at.number_input(key="train_lr").value == 0.5 and at.number_input(key="train_epochs").value == 3
    assert at.select_slider(key="train_size").value == 5000 and at.select_slider(key="train_batch").value == FULL_BATCH
    assert any("seed='oops' (not a number)" in w.value for w in at.warning)
    at.number_input(key="train_epochs").set_value(4).run()
    assert at.number_input(key="train_epochs").value == 4  # the learner's change is not undone by the link
    assert at.query_params["epochs"] == "4" and at.query_params["hidden"] == "30"


def test_a_rerun_that_still_carries_the_address_before_a_change_does_not_undo_it():
    """The tab sends its address with every rerun; a click made before the new address arrived (a busy server)
    carries the old one, which this session wrote itself: it is no new link, and the change stays."""
    at = AppTest.from_file("../app.py", default_timeout=90).run()
    at.switch_page("pages/train.py").run()
    before = dict(at.query_params)                                   # the address the page wrote: fast, 8 epochs
    at.selectbox(key="train_preset").set_value("nielsen-30").run()
    assert at.number_input(key="train_epochs").value == 30 and at.query_params["epochs"] == "30"
    at.query_params.clear()
    at.query_params.update(before)                                   # a late click's rerun with the old address
    at.toggle(key="presenter_mode").set_value(True).run()
    assert at.number_input(key="train_epochs").value == 30 and at.query_params["epochs"] == "30"


def widget_keys(block) -> set:
    return {w.key for kind in ("text_input", "number_input", "selectbox", "select_slider", "slider", "toggle")
            for w in block.get(kind)}


def test_a_beginner_sees_five_settings_the_rest_wait_under_more_settings_and_still_follow_the_link():
    beginner = {key for key, setting in FIELDS.items() if setting.beginner}
    assert beginner == {"train_hidden", "train_lr", "train_batch", "train_epochs", "train_size"}
    at = AppTest.from_file("../app.py", default_timeout=90)
    at.query_params.update({"activation": "tanh", "dropout": "0.2", "epochs": "3"})
    at.run()
    at.switch_page("pages/train.py").run()
    more = next(e for e in at.expander if e.label.startswith("More settings"))
    assert widget_keys(more) == set(FIELDS) - beginner
    assert at.selectbox(key="train_activation").value == "tanh" and at.slider(key="train_dropout").value == 0.2
    at.sidebar.toggle(key="presenter_mode").set_value(True).run()  # presenter mode: the beginner's settings only
    assert not any(e.label.startswith("More settings") for e in at.expander)
    assert widget_keys(at.main) == beginner | {"train_preset"}
    assert at.query_params["activation"] == "tanh" and at.query_params["dropout"] == "0.2"  # hidden, kept
    at.sidebar.toggle(key="presenter_mode").set_value(False).run()
    assert at.selectbox(key="train_activation").value == "tanh"


def test_the_page_speaks_of_a_lost_server_process_only_after_one():
    from ui.training import server_token
    for token, restarted in (("0ld5e7e7", True), (server_token(), False), (None, False)):
        at = AppTest.from_file("../app.py", default_timeout=90)
        if token:
            at.query_params["training"] = token
        at.run()
        at.switch_page("pages/train.py").run()
        notices = " ".join(e.value for e in [*at.info, *at.warning])
        assert ("the server process that ran it stopped" in notices) == restarted, (token, notices)
        assert ("No training yet" in notices) != restarted
        assert "training" not in at.query_params  # no training runs here now: the address says none
