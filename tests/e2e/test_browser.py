"""In headless Chromium against `streamlit run`: what only a browser shows."""
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import expect

from core.calibration import DEFAULT_THRESHOLD
from core.io import load_model
from core.preprocess import prepare_digit
from support.browser import (CANVAS, CLEAR, ROOT, curve_reach, free_port, running, start_server, stop_server,
                             training_processes)
from tests.e2e.conftest import SHOTS, go, screenshot, settle

PAGES = {"Home": "Neural network from scratch", "Dataset explorer": "The MNIST dataset",
         "One neuron first": "One neuron first", "Train": "Train a network", "Weights": "What the neurons learned",
         "Draw & predict": "Draw a digit",
         "How it works": "How it works", "Evaluate": "Evaluate the current model", "The lab": "The lab",
         "Tutorials, reproduced": "Tutorials, reproduced"}


def test_every_page_opens_with_its_title_and_no_console_errors(page):
    for label, title in PAGES.items():
        go(page, label)
        page.wait_for_selector("[data-testid=stPlotlyChart], [data-testid=stAlert], [data-testid=stDataFrame], "
                               "[data-testid=stMetric]", timeout=30_000)
        assert page.locator("h1").first.inner_text().strip() == title
        screenshot(page, label.lower().replace(" & ", "-").replace(",", "").replace(" ", "-"))


def draw(page, strokes):
    """Drag the mouse along each stroke (a list of canvas-relative points), as a person drawing."""
    canvas = page.locator(CANVAS)
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0], box["y"] + stroke[0][1])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=12)
        page.mouse.up()


def canvas_pixels(page) -> np.ndarray:
    """The drawing as the canvas sends it, RGBA (height, width, 4): the strokes' layer, read in the browser,
    over the black background."""
    width, height, values = page.locator("[data-testid=stBidiComponentIsolated] canvas.dc-canvas.lower-canvas").evaluate(
        "c => [c.width, c.height, Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)]")
    strokes = np.array(values, np.uint8).reshape(height, width, 4)
    over_black = strokes[..., :3].astype(np.uint16) * strokes[..., 3:] // 255  # white ink, partly transparent
    return np.dstack([over_black.astype(np.uint8), np.full((height, width), 255, np.uint8)])


def prediction(page) -> str:
    metric = page.locator("[data-testid=stMetric]", has_text="Prediction")
    metric.wait_for(timeout=30_000)
    return metric.locator("[data-testid=stMetricValue]").inner_text().strip()


@pytest.mark.parametrize("digit, strokes", [
    ("7", [[(70, 50), (210, 50), (130, 240)]]),
    ("1", [[(140, 40), (140, 240)]]),
])
def test_drawing_a_digit_with_the_mouse_shows_its_prediction(page, digit, strokes):
    go(page, "Draw & predict")
    assert page.get_by_text("Nothing drawn yet").count() == 1  # an empty canvas asks for a drawing
    draw(page, strokes)
    page.wait_for_timeout(500)
    settle(page)
    assert prediction(page) == digit
    screenshot(page, f"draw-{digit}")
    page.locator(CLEAR).click()  # Clear: back to asking for a drawing, no stale prediction
    page.get_by_text("Nothing drawn yet").wait_for(timeout=30_000)
    assert page.locator("[data-testid=stMetric]").count() == 0


def test_training_streams_the_loss_survives_a_page_switch_and_stops(page):
    go(page, "Train")
    page.locator("[data-testid=stSelectbox]", has_text="Start from a preset").click()
    page.get_by_role("option", name="nielsen-30", exact=False).click()  # 30 epochs: long enough to watch
    settle(page)
    main = page.locator("[data-testid=stMain]")
    main.get_by_role("button", name="Start").click()
    page.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=60_000)
    first = curve_reach(page)
    page.wait_for_timeout(2500)
    assert curve_reach(page) > first > 0  # the curve grows while it trains
    screenshot(page, "train-running")

    go(page, "Draw & predict")
    page.wait_for_timeout(1500)
    go(page, "Train")
    page.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=30_000)
    again = curve_reach(page)
    page.wait_for_timeout(1500)
    assert curve_reach(page) > again  # still training after the visit elsewhere

    main.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped at epoch").wait_for(timeout=30_000)
    settle(page)
    sidebar = page.locator("[data-testid=stSidebar]")
    assert "784 → 30 → 10" in sidebar.inner_text()  # the run is now the current model
    assert sidebar.locator("[data-testid=stSelectbox] input").first.input_value().startswith("Run 1")
    screenshot(page, "train-stopped")
    with page.expect_download(timeout=30_000) as download:  # the file is made when clicked
        main.get_by_role("button", name="Download the model (.npz)").click()
    from core.io import load_model
    network, meta = load_model(download.value.path())
    assert network.sizes == [784, 30, 10] and meta["config"]["hidden"] == [30]


@pytest.mark.parametrize("presenting", [False, True], ids=["plain", "presenter-mode"])
def test_after_start_the_live_loss_chart_is_on_the_first_screen(page, presenting):
    page.set_viewport_size({"width": 1400, "height": 1000})
    go(page, "Train")
    page.locator("[data-testid=stSelectbox]", has_text="Start from a preset").click()
    page.get_by_role("option", name="nielsen-30", exact=False).click()  # 30 epochs: the live view stays
    epochs = page.locator("[data-testid=stNumberInput]", has_text="Epochs").locator("input")
    expect(epochs).to_have_value("30")
    if presenting:
        page.locator("[data-testid=stSidebar]").get_by_text("Presenter mode").click()
        page.locator(".st-key-train_l2").wait_for(state="detached")  # the advanced settings are hidden
        expect(epochs).to_have_value("30")
    settle(page)
    main, chart = page.locator("[data-testid=stMain]"), ".st-key-loss_chart .js-plotly-plot"
    main.get_by_role("button", name="Start").click()
    page.wait_for_function(f"() => document.querySelector('{chart}')", timeout=60_000)
    page.wait_for_timeout(2500)  # a few live updates
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"train-live-first-screen-{'presenter' if presenting else 'plain'}.png")
    top = page.evaluate(f"() => document.querySelector('{chart}').getBoundingClientRect().top")
    assert top + 100 < 1000, top  # the curve itself, not only its top edge, shows without scrolling
    assert page.get_by_text("What it reads now").count() == 1  # the test digits, read live
    assert "of 30 ·" in page.locator("[data-testid=stProgress]").inner_text()  # the preset's run
    main.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped at epoch").wait_for(timeout=30_000)


def test_uploading_a_model_makes_it_current_and_a_bad_file_is_refused(page, tmp_path):
    from tests.test_weights import WEIGHTS
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Upload a model (.npz)").click()
    bad = tmp_path / "not-a-model.npz"
    bad.write_text("hello")
    sidebar.locator("input[type=file]").set_input_files(str(bad))
    sidebar.get_by_text("was not loaded").wait_for(timeout=30_000)
    assert "This is not a model file" in sidebar.inner_text()
    assert sidebar.locator("[data-testid=stSelectbox] input").first.input_value().startswith("fast")
    sidebar.locator("input[type=file]").set_input_files(str(WEIGHTS / "nielsen-30.npz"))
    sidebar.get_by_text("is loaded").wait_for(timeout=30_000)
    settle(page)
    assert sidebar.locator("[data-testid=stSelectbox] input").first.input_value() == "nielsen-30 (uploaded)"
    assert "784 → 30 → 10" in sidebar.inner_text()


def test_a_model_over_the_upload_limit_is_refused_by_the_server_and_nothing_is_kept(page, tmp_path):
    limit = 50 * 2**20  # .streamlit/config.toml maxUploadSize, in MB
    uploads = []
    page.on("request", lambda r: uploads.append(r) if r.method == "PUT" and "/_stcore/upload_file/" in r.url else None)
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.get_by_text("Upload a model (.npz)").click()
    small = tmp_path / "small.npz"
    small.write_text("hello")
    sidebar.locator("input[type=file]").set_input_files(str(small))  # to learn this session's upload address
    sidebar.get_by_text("was not loaded").wait_for(timeout=30_000)
    address = uploads[-1].url.rsplit("/", 1)[0] + "/an-oversized-file"
    big = b"PK" + bytes(limit)  # one byte past the limit with its header
    answer = page.request.put(address, headers={"X-Xsrftoken": uploads[-1].headers["x-xsrftoken"]},
                              multipart={"file": {"name": "big.npz", "mimeType": "application/zip", "buffer": big}})
    assert answer.status == 413  # refused by the server itself, whatever a browser does
    (tmp_path / "big.npz").write_bytes(big)
    sent = len(uploads)
    sidebar.locator("input[type=file]").set_input_files(str(tmp_path / "big.npz"))  # as a learner would
    sidebar.get_by_text("must be 50.0MB or smaller").wait_for(timeout=30_000)
    settle(page)
    assert len(uploads) == sent  # the browser did not even send it
    assert sidebar.locator("[data-testid=stSelectbox] input").first.input_value().startswith("fast")
    page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
    options = page.locator("[role=option]").all_inner_texts()
    page.keyboard.press("Escape")
    assert not any("uploaded" in option for option in options), options  # no model was added


def test_teaching_a_drawn_digit_another_label_moves_the_prediction(page):
    go(page, "Draw & predict")
    draw(page, [[(70, 50), (210, 50), (130, 240)]])
    page.wait_for_timeout(500)
    settle(page)
    assert prediction(page) == "7"
    main = page.locator("[data-testid=stMain]")
    label_box = main.locator("[data-testid=stSelectbox]", has_text="It is really a")
    label_box.scroll_into_view_if_needed()  # a list opened while Playwright still scrolls to it closes at once
    page.wait_for_timeout(300)
    label_box.click()
    page.get_by_role("option", name="4", exact=True).click()
    settle(page)
    main.get_by_role("button", name="Teach it that this is a 4").click()
    page.get_by_text("Before: 7").wait_for(timeout=30_000)
    settle(page)
    assert prediction(page) == "4"
    assert "· taught" in page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
    screenshot(page, "draw-taught")
    main.get_by_role("button", name="Undo the teaching").click()
    page.wait_for_timeout(300)
    settle(page)
    assert prediction(page) == "7"  # back to the shipped model, which never changed


def test_clicking_a_confusion_matrix_cell_shows_its_images(page):
    go(page, "Evaluate")
    page.wait_for_function("() => document.querySelector('.st-key-confusion .js-plotly-plot')?._fullLayout",
                           timeout=30_000)
    x, y = page.evaluate("""() => {
        const el = document.querySelector('.st-key-confusion .js-plotly-plot'), box = el.getBoundingClientRect();
        const {xaxis, yaxis} = el._fullLayout;               // the centre of cell (true 3, predicted 5), plus 12 px
        return [box.left + xaxis._offset + xaxis.d2p('5') + 12, box.top + yaxis._offset + yaxis.d2p('3') + 12]; }""")
    page.mouse.click(x, y)
    main = page.locator("[data-testid=stMain]")
    main.get_by_text("of a 3 read as 5").wait_for(timeout=30_000)
    settle(page)
    boxes = main.locator("[data-testid=stSelectbox] input")
    assert [boxes.nth(0).input_value(), boxes.nth(1).input_value()] == ["3", "5"]
    screenshot(page, "evaluate-cell")


def test_the_first_visitor_after_a_start_who_opens_a_page_link_gets_the_whole_app(browser):
    """Streamlit would run pages/draw.py alone (legacy mode) for a cold deep link; the app must recover."""
    port = free_port()
    server = start_server(port)
    try:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(f"http://127.0.0.1:{port}/draw")
        settle(tab)
        tab.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.wait_for(timeout=30_000)
        nav = tab.locator("[data-testid=stSidebarNav]").inner_text()
        assert "Tutorials, reproduced" in nav and "how_it_works" not in nav  # page titles, not file names
        assert tab.locator("h1").first.inner_text().strip() == "Draw a digit"
        context.close()
    finally:
        stop_server(server)


def test_quick_redraws_and_clear_during_a_prediction_leave_a_consistent_page(page):
    go(page, "Draw & predict")
    for i in range(8):  # strokes faster than the app answers: each mouse-up starts a rerun
        draw(page, [[(50 + i * 25, 60), (60 + i * 25, 220)]])
    settle(page)
    # the page answers for the drawing as it stands, all 8 strokes: what core makes of the canvas's pixels
    prepared = prepare_digit(canvas_pixels(page))
    assert prepared.ok, prepared.message  # 8 strokes of 160 x 18 px: about 30 % ink, no scribble
    network, _ = load_model(ROOT / "weights" / "fast.npz")  # the default model
    P = network.predict_proba(prepared.x[None])[0]
    assert prediction(page) == (str(P.argmax()) if P.max() >= DEFAULT_THRESHOLD else "not sure")  # the lab's threshold
    page.locator(CLEAR).click()
    page.get_by_text("Nothing drawn yet").wait_for(timeout=30_000)
    draw(page, [[(140, 40), (140, 240)]])
    page.locator(CLEAR).click()  # at once, while that stroke's prediction is still being computed
    page.wait_for_timeout(1500)
    settle(page)
    assert page.get_by_text("Nothing drawn yet").count() == 1
    assert page.locator("[data-testid=stMetric]").count() == 0  # no stale prediction for a cleared canvas


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])  # field 19, "nice"


def test_closing_the_tab_mid_training_stops_the_training_process(browser, server):
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(f"{server}/train?hidden=64&epochs=50&images=55000&batch=32")
    settle(tab)
    tab.locator("[data-testid=stMain]").get_by_role("button", name="Start").click()
    tab.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=60_000)
    trainings = training_processes(server.pid)
    assert len(trainings) == 1  # a process of its own, a child of the server ...
    assert niceness(trainings[0]) == niceness(server.pid) + 10  # ... at a lower priority than the pages
    context.close()  # the learner closes the tab in the middle of training
    deadline = time.monotonic() + 60  # it ends about 10 s after the tab (the grace for a reconnect)
    while running(trainings[0]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(trainings[0]), "the training went on after its tab was closed"


def test_a_server_restart_mid_training_leaves_a_clear_state_and_start_works_again(browser):
    port = free_port()
    server = start_server(port)
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = context.new_page()
    try:
        tab.goto(f"http://127.0.0.1:{port}/train?hidden=64&epochs=50&images=55000&batch=32&seed=4")
        settle(tab)
        start = tab.locator("[data-testid=stMain]").get_by_role("button", name="Start")
        start.click()
        tab.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=60_000)
        trainings = training_processes(server.pid)
        assert trainings  # the training runs in a process of its own
        stop_server(server)  # the host restarts the app in the middle of the training
        deadline = time.monotonic() + 10
        while any(map(running, trainings)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(map(running, trainings)), "a training outlived its server"
        tab.wait_for_timeout(2000)
        server = start_server(port)
        tab.get_by_text("the server process that ran it stopped").wait_for(timeout=60_000)  # it reconnects by itself
        settle(tab)
        assert tab.locator(".st-key-loss_chart").count() == 0  # no chart of a training that no longer exists
        hidden = tab.locator("[data-testid=stTextInput]", has_text="Hidden layers").locator("input")
        assert hidden.input_value() == "64"  # settings kept
        assert tab.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value().startswith("fast")
        screenshot(tab, "train-after-restart")
        start.click()
        tab.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=60_000)
        tab.locator("[data-testid=stMain]").get_by_role("button", name="Stop").click()
        tab.get_by_text("Stopped at epoch").wait_for(timeout=60_000)
    finally:
        context.close()
        stop_server(server)


def test_drawing_with_the_cnn_selected_predicts_and_shows_its_feature_maps(page):
    sidebar = page.locator("[data-testid=stSidebar]")
    sidebar.locator("[data-testid=stSelectbox]").first.click()
    page.locator("[role=option]", has_text="cnn-99").click()
    settle(page)
    assert sidebar.locator("[data-testid=stSelectbox] input").first.input_value().startswith("cnn-99")
    go(page, "Draw & predict")
    draw(page, [[(70, 50), (210, 50), (130, 240)]])
    page.wait_for_timeout(500)
    settle(page)
    assert prediction(page) == "7"
    page.get_by_text("What the filters see in this drawing").wait_for(timeout=30_000)
    page.get_by_text("After max-pool 2: 32 maps of 5×5").wait_for(timeout=30_000)
    screenshot(page, "draw-cnn")
