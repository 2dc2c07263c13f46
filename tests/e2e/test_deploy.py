"""`python -m deploy --processes 2` on 127.0.0.1: learners spread over both processes and stay with their own;
a learner whose process dies mid-training carries on at the other one."""
import csv
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest
from websockets.sync.client import connect

from deploy.__main__ import COOKIE_SECRET_ENV
from jobs.slots import SLOTS_DIR_ENV
from support.browser import ROOT, curve_reach, free_port, running, training_processes
from support.watch import rerun
from tests.e2e.conftest import SHOTS, screenshot, settle

LOG = ROOT / "test-output" / "deploy.log"
TRAINING_LINK = "/train?hidden=64&epochs=50&images=55000&batch=32&seed=4"
LOSS_CHART = "() => document.querySelector('.st-key-loss_chart .js-plotly-plot')"


class Deployment:
    def __init__(self, process, url, stats, pids):
        self.process, self.url, self.stats, self.pids = process, url, stats, pids  # pids: {"app1": pid, ...}
        self.environments = [environment(pid) for pid in pids.values()]

    def slots_held(self) -> int:
        """How many machine-wide training slots some process holds now (jobs.slots: a locked file each)."""
        held = 0
        for slot in Path(self.environments[0][SLOTS_DIR_ENV]).glob("slot-*"):
            with open(slot) as file:
                try:
                    fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    held += 1
        return held

    def statistics(self, column: str) -> dict:
        """{app process: its value in a column of HAProxy's statistics}: scur, connections open to it now;
        status, UP or DOWN by its health checks."""
        text = urllib.request.urlopen(f"{self.stats};csv", timeout=10).read().decode()
        rows = csv.DictReader(text.removeprefix("# ").splitlines())
        return {row["svname"]: row[column] for row in rows if row["pxname"] == "app" and row["svname"] in self.pids}

    def open_connections(self) -> dict:
        return {name: int(value) for name, value in self.statistics("scur").items()}


def environment(pid: int) -> dict:
    return dict(v.split("=", 1) for v in Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in v)


def started(process, timeout: float = 180) -> dict:
    """{app process: pid} from the command's output, once it prints the address to open."""
    deadline = time.monotonic() + timeout
    while "Open http" not in LOG.read_text():
        assert process.poll() is None and time.monotonic() < deadline, LOG.read_text()
        time.sleep(0.2)
    return {line.split(":")[0]: int(line.split("process ")[1].split(",")[0])
            for line in LOG.read_text().splitlines() if line.startswith("app")}


@pytest.fixture(scope="module")
def deployment():
    LOG.parent.mkdir(exist_ok=True)
    port, stats = free_port(), free_port()
    with open(LOG, "w") as log:
        process = subprocess.Popen([sys.executable, "-m", "deploy", "--processes", "2", "--port", str(port),
                                    "--stats-port", str(stats)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    pids = {}
    try:
        pids = started(process)
        url = f"http://127.0.0.1:{port}"
        assert urllib.request.urlopen(url, timeout=10).status == 200  # HAProxy answers, with an app's page
        yield Deployment(process, url, f"http://127.0.0.1:{stats}/", pids)
    finally:
        process.terminate()  # SIGTERM: the command stops HAProxy and every app process it started
        process.wait(60)
    assert pids and not any(map(running, pids.values())), "an app process outlived the deployment"
    shutil.rmtree(Path(LOG.read_text().split("log ")[1].split()[0]).parent)  # its configuration and logs


def eventually(condition, seconds: float = 60) -> bool:
    """Whether condition() comes true within `seconds` (a limit to the wait, not a speed that is tested)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def sticky_cookie(url: str) -> str:
    """What a new learner's first visit gets: the name of the app process that will serve it."""
    response = urllib.request.urlopen(url, timeout=30)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("SERVER=app"), cookie
    return cookie.split(";")[0].removeprefix("SERVER=")


def test_the_app_processes_share_one_cookie_secret_and_the_training_slots_of_the_machine(deployment):
    first, second = deployment.environments
    assert first[COOKIE_SECRET_ENV] == second[COOKIE_SECRET_ENV] and len(first[COOKIE_SECRET_ENV]) == 64
    assert first[SLOTS_DIR_ENV] == second[SLOTS_DIR_ENV]


def test_learners_spread_over_both_processes_and_each_stays_with_its_own(deployment):
    learners = [sticky_cookie(deployment.url) for _ in range(6)]
    assert sorted(set(learners)) == ["app1", "app2"], learners
    stream = deployment.url.replace("http", "ws", 1) + "/_stcore/stream"
    for name in ("app1", "app2"):  # one process's learners at a time: the statistics tell where they went
        with ExitStack() as stack:
            tabs = [stack.enter_context(connect(stream, subprotocols=["streamlit"], max_size=None,
                                                additional_headers={"Cookie": f"SERVER={name}"}))
                    for learner in learners if learner == name]
            assert all(rerun(ws, "") for ws in tabs)  # each ran the home page to the end
            other = "app2" if name == "app1" else "app1"
            assert deployment.open_connections() == {name: len(tabs), other: 0}


def test_a_learner_whose_process_dies_mid_training_goes_on_at_the_other(browser, deployment):
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    tab = context.new_page()
    try:
        tab.goto(deployment.url + TRAINING_LINK)
        settle(tab)
        start = tab.locator("[data-testid=stMain]").get_by_role("button", name="Start")
        start.click()
        tab.wait_for_function(LOSS_CHART, timeout=60_000)
        assert eventually(lambda: curve_reach(tab) > 0)  # its first point is at epoch 0: wait for a later one
        first = curve_reach(tab)
        assert eventually(lambda: curve_reach(tab) > first)  # the curve grows: live updates come through HAProxy
        tab.screenshot(path=SHOTS / "deploy-training-before-the-crash.png")  # as it is: a taller one redraws the charts
        serving = next(c["value"] for c in context.cookies() if c["name"] == "SERVER")
        survivor = "app2" if serving == "app1" else "app1"
        trainings = training_processes(deployment.pids[serving])
        assert trainings  # the training runs in a process of that app process
        assert deployment.slots_held() == 1  # and holds one of the machine's training slots
        os.kill(deployment.pids[serving], signal.SIGKILL)  # a crash: nothing is cleaned up
        tab.get_by_text("the server process that ran it stopped").wait_for(timeout=60_000)  # it reconnects by itself
        settle(tab)
        assert eventually(lambda: not any(map(running, trainings))), "a training outlived its crashed server"
        assert eventually(lambda: deployment.statistics("status") == {serving: "DOWN", survivor: "UP"})  # health checks
        assert tab.locator(".st-key-loss_chart").count() == 0  # no chart of a training that no longer exists
        assert deployment.slots_held() == 0  # the crashed process's slot came back by itself
        hidden = tab.locator("[data-testid=stTextInput]", has_text="Hidden layers").locator("input")
        assert hidden.input_value() == "64"  # the settings came back from the page's address
        screenshot(tab, "deploy-after-the-crash")
        start.click()  # trains again, at the process that is left
        tab.wait_for_function(LOSS_CHART, timeout=60_000)
        assert deployment.slots_held() == 1
        tab.locator("[data-testid=stMain]").get_by_role("button", name="Stop").click()
        tab.get_by_text("Stopped at epoch").wait_for(timeout=60_000)
        assert deployment.open_connections()[survivor] >= 1 and running(deployment.pids[survivor])
    finally:
        context.close()
