"""Fixtures for browser tests: a real `streamlit run` on 127.0.0.1 and Debian's headless Chromium.

A missing Chromium fails these tests loudly; they are never skipped.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"


class ServerURL(str):
    """The server's address, which also knows the server's process id."""
    def __new__(cls, url: str, pid: int):
        made = super().__new__(cls, url)
        made.pid = pid
        return made


def process_tree(pid: int) -> list:
    """The process and all its descendants (the server's training processes are its children)."""
    tree = [pid]
    for member in tree:
        for task in Path(f"/proc/{member}/task").glob("*"):
            try:
                tree += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass  # the thread or process has just ended
    return tree


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by a process and its descendants, ended ones included (they count in their parent's)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total += sum(int(f) for f in fields[11:15])  # utime + stime + cutime + cstime
    return total / os.sysconf("SC_CLK_TCK")


def cpu_busy(pid: int, seconds: float = 2.0) -> float:
    """The share of one core a process and its descendants used over the next `seconds` (a training uses about 1.0)."""
    began = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - began) / seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, log=subprocess.DEVNULL) -> subprocess.Popen:
    """`streamlit run app.py` on 127.0.0.1:port, returned once it answers its health check."""
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError("streamlit did not start; see test-output/streamlit.log")
        time.sleep(0.3)


def stop_server(process: subprocess.Popen):
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def server():
    """`streamlit run app.py` on a free port of 127.0.0.1, stopped after the tests."""
    (ROOT / "test-output").mkdir(exist_ok=True)
    port = free_port()
    with open(ROOT / "test-output" / "streamlit.log", "w") as log:
        process = start_server(port, log)
        try:
            yield ServerURL(f"http://127.0.0.1:{port}", process.pid)
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def browser():
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Chromium is not installed, so the browser tests cannot run. Install it with "
                    "`apt-get update && apt-get install -y chromium` (as .ci/run does).", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser tab (a new Streamlit session) that records console errors; the test fails on any."""
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = context.new_page()
    tab.console_errors = []
    tab.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda err: tab.console_errors.append(str(err)))
    tab.goto(server)
    settle(tab)
    yield tab
    context.close()
    assert tab.console_errors == [], tab.console_errors


def settle(tab, timeout: float = 60_000):
    """Wait until the script run is over and nothing shows an exception."""
    tab.wait_for_selector(IDLE, timeout=timeout)
    assert tab.locator("[data-testid=stException]").count() == 0, tab.locator("[data-testid=stException]").all_inner_texts()


def go(tab, label: str):
    """Open a page through the sidebar navigation, as a user would."""
    tab.locator("[data-testid=stSidebarNav] a", has_text=label).first.click()
    tab.wait_for_timeout(300)
    settle(tab)


def screenshot(tab, name: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.set_viewport_size({"width": 1400, "height": 2400})  # Streamlit scrolls inside its own container
    tab.wait_for_timeout(500)
    tab.screenshot(path=SHOTS / f"{name}.png")
    tab.set_viewport_size({"width": 1400, "height": 1100})
