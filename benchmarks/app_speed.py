"""How fast the app feels: page paint, draw -> prediction, the weight grid, live training updates.

Starts `streamlit run app.py` on 127.0.0.1, drives Debian's headless Chromium with Playwright, and
prints a table. The server-side cost of one drawing is measured in this process too.

    python benchmarks/app_speed.py [--repeats 5]
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from support.browser import CANVAS, CHROMIUM_FLAGS, CLEAR, IDLE, curve_reach, free_port  # noqa: E402


DIAGRAM_DRAWN = ".st-key-draw_diagram .js-plotly-plot .scatterlayer .textpoint"  # its output labels


def server_side_draw_ms(repeats: int = 200) -> float:
    """Median ms for what the server does per drawing: preprocess, forward pass, the three figures."""
    from core.io import load_model
    from core.preprocess import prepare_digit
    from ui import charts, tiles
    network, _ = load_model(ROOT / "weights" / "fast.npz")
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    canvas[50:70, 70:210, :3] = 255
    canvas[70:240, 130:150, :3] = 255
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        prepared = prepare_digit(canvas)
        fwd = network.forward(prepared.x[None])
        charts.probabilities(fwd.P[0], int(fwd.P[0].argmax())).to_json()
        charts.bars(fwd.As[1][0], range(256), "hidden").to_json()
        top = np.argsort(-fwd.As[1][0])[:8]
        tiles.mosaic(network.weights[0][:, top].T.reshape(-1, 28, 28), 8, diverging=True).to_json()
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def start_server():
    import subprocess
    import urllib.request
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                                "--server.port", str(port), "--server.headless", "true"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("streamlit did not start")


def seconds(action, until):
    began = time.perf_counter()
    action()
    until()
    return time.perf_counter() - began


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import shutil

    from playwright.sync_api import sync_playwright
    process, url = start_server()
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
            tab = browser.new_page(viewport={"width": 1400, "height": 1100})
            tab.goto(url)
            tab.wait_for_selector(IDLE, timeout=90_000)

            def nav(label, ready):
                link = tab.locator("[data-testid=stSidebarNav] a", has_text=label).first
                return seconds(link.click, lambda: (tab.wait_for_timeout(50), tab.wait_for_selector(IDLE),
                                                    tab.wait_for_selector(ready, timeout=60_000)))

            pages = {"Dataset explorer": ".st-key-examples img", "Train": "[data-testid=stAlert]",
                     "Weights": ".st-key-weight_grid .js-plotly-plot", "Draw & predict": CANVAS,
                     "Evaluate": ".st-key-confusion .js-plotly-plot", "Home": ".st-key-home_diagram .js-plotly-plot"}
            for label, ready in pages.items():  # the first visit fills the caches
                nav(label, ready)
            for label, ready in pages.items():
                times = [nav(label, ready) for _ in range(args.repeats)]
                target = "< 1.5 s (256 neurons)" if label == "Weights" else "< 2 s"
                rows.append((f"page paint: {label}", statistics.median(times), target))

            nav("Draw & predict", CANVAS)
            box = tab.locator(CANVAS).bounding_box()
            draw_times, diagram_times = [], []
            for i in range(args.repeats):
                tab.locator(CLEAR).click()
                tab.wait_for_selector("[data-testid=stMetric]", state="detached", timeout=30_000)
                tab.wait_for_selector(IDLE)
                tab.mouse.move(box["x"] + 140, box["y"] + 40)
                tab.mouse.down()
                tab.mouse.move(box["x"] + 140 + i, box["y"] + 240, steps=10)
                began = time.perf_counter()
                draw_times.append(seconds(tab.mouse.up, lambda: (
                    tab.wait_for_selector("[data-testid=stMetric]", timeout=30_000), tab.wait_for_timeout(20),
                    tab.wait_for_selector(IDLE))))
                tab.wait_for_selector(DIAGRAM_DRAWN, state="attached", timeout=30_000)  # Plotly draws after the run
                diagram_times.append(time.perf_counter() - began)
            rows.append(("draw -> prediction on screen", statistics.median(draw_times), "< 1 s"))
            rows.append(("draw -> living diagram drawn", statistics.median(diagram_times), "< 1 s"))

            nav("Train", "[data-testid=stAlert]")
            tab.locator("[data-testid=stMain]").get_by_role("button", name="Start").click()
            tab.wait_for_function("() => document.querySelector('.st-key-loss_chart .js-plotly-plot')", timeout=60_000)
            updates, last, began = 0, None, time.perf_counter()
            while time.perf_counter() - began < 5:
                reach = curve_reach(tab)
                updates += reach != last
                last = reach
                tab.wait_for_timeout(50)
            rows.append(("live training: chart updates per second", updates / (time.perf_counter() - began), "1 (Train page POLL)"))
            clicked = seconds(lambda: tab.locator("[data-testid=stMain]").get_by_role("button", name="Pause").click(),
                              lambda: tab.get_by_text("Paused.").wait_for(timeout=10_000))
            rows.append(("click while training -> answer on screen", clicked, "responsive"))
            browser.close()
    finally:
        process.terminate()
    rows.append(("server side per drawing (ms)", server_side_draw_ms(), "< 20 ms"))
    print(f"\n{'measure':<45} {'median':>10}   target")
    for name, value, target in rows:
        print(f"{name:<45} {value:>10.3f}   {target}")


if __name__ == "__main__":
    main()
