"""How long every page takes, from the sidebar click to the page finished, on a freshly started server.

For each checkout given (default: this one), starts `streamlit run app.py` on 127.0.0.1, opens it in
Debian's headless Chromium and prints: the time from starting the server to the first page finished,
then each page's first visit (in teaching order) and the median of its later visits. "Finished" means
the script run that the click started has stopped and no spinner or progress bar is left on the page.
Several checkouts are measured in turn, round after round, so that they share the machine's load.

    python benchmarks/page_times.py [--rounds 2] [--later 3] [CHECKOUT ...]
"""
import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from support.browser import CHROMIUM_FLAGS, free_port, start_server, stop_server  # noqa: E402

PAGES = ["Home", "Dataset explorer", "One neuron first", "Train", "Weights", "Draw & predict", "How it works",
         "Evaluate", "The lab", "Tutorials, reproduced"]
# The script run that started after the click has stopped, and nothing on the page is still waiting.
# A run that ends within one batch of messages may never show 'running' (React renders only the last state): a
# new page title says the new page's run has been drawn too.
WATCH_RUNS = """() => { window.sawRun = false;
  window.oldTitle = document.querySelector('[data-testid=stMain] h1')?.innerText;
  if (window.runWatcher) return;  // one observer of the whole document: it outlives a re-mounted stApp
  window.runWatcher = new MutationObserver(changes => { for (const c of changes)
      if (c.target.dataset.testScriptState === 'running') window.sawRun = true; });
  window.runWatcher.observe(document.body, {attributes: true, subtree: true,
                                            attributeFilter: ['data-test-script-state']}); }"""
READY = """() => document.querySelector('[data-testid=stMain] h1')
  && document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'
  && !document.querySelector('[data-testid=stMain] [data-testid=stSpinner], [data-testid=stMain] [role=progressbar]')"""
FINISHED = ("() => (window.sawRun || document.querySelector('[data-testid=stMain] h1')?.innerText !== window.oldTitle)"
            " && (" + READY + ")()")


def timed_visit(tab, label: str) -> float:
    """Seconds from a click on the page's sidebar link to that page finished."""
    tab.evaluate(WATCH_RUNS)
    link = tab.locator("[data-testid=stSidebarNav] a", has_text=label).first
    began = time.perf_counter()
    link.click()
    try:
        tab.wait_for_function(FINISHED, timeout=120_000, polling=20)
    except Exception:
        state = tab.evaluate("""() => [location.pathname, window.sawRun,
            document.querySelector('[data-testid=stApp]').dataset.testScriptState,
            !!document.querySelector('[data-testid=stMain] [data-testid=stSpinner]'),
            !!document.querySelector('[data-testid=stMain] [role=progressbar]')]""")
        sys.exit(f"{label} did not finish within 120 s: (page, saw a run, script state, spinner, progress bar) "
                 f"{state}")
    return time.perf_counter() - began


def measure(browser, checkout: Path, later: int) -> dict:
    """{'ready': s, page: (first visit s, median later visit s)} on a fresh server."""
    began = time.perf_counter()
    port = free_port()
    process, url = start_server(port, checkout=checkout), f"http://127.0.0.1:{port}"
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        tab = context.new_page()
        tab.goto(url)
        tab.wait_for_function(READY, timeout=120_000, polling=20)
        times = {"ready": time.perf_counter() - began}
        firsts = {label: timed_visit(tab, label) for label in PAGES[1:]}
        laters = {label: [] for label in PAGES}
        for _ in range(later):
            for label in PAGES:
                laters[label].append(timed_visit(tab, label))
        context.close()
    finally:
        stop_server(process)
    times.update({label: (firsts.get(label), statistics.median(laters[label])) for label in PAGES})
    return times


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", type=Path, default=[ROOT])
    parser.add_argument("--rounds", type=int, default=1, help="fresh servers per checkout, measured in turn")
    parser.add_argument("--later", type=int, default=3, help="later visits of every page per server")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    print(f"load average before: {load()}")
    results = {checkout: [] for checkout in args.checkouts}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        for _ in range(args.rounds):
            for checkout in args.checkouts:
                results[checkout].append(measure(browser, checkout, args.later))
        browser.close()
    print(f"load average after: {load()}\n")
    header = "".join(f" | {str(c)[-24:]:>24} first / later" for c in args.checkouts)
    print(f"{'page (seconds, median of rounds)':<32}{header}")

    def median(checkout, label, i):
        values = [run[label][i] for run in results[checkout] if run[label][i] is not None]
        return f"{statistics.median(values):5.2f}" if values else "    -"
    print(f"{'ready after start':<32}" + "".join(
        f" | {statistics.median(run['ready'] for run in results[c]):>30.2f}      " for c in args.checkouts))
    for label in PAGES:
        print(f"{label:<32}" + "".join(f" | {median(c, label, 0):>30} / {median(c, label, 1)}" for c in args.checkouts))


if __name__ == "__main__":
    main()
