"""Watching a class from outside: what a tab and the server say on the websocket, the server's memory, threads,
health and CPU, how busy the machine is, a browserless client's reruns, and where the sessions are
(support/class_play.py uses them)."""
import asyncio
import base64
import os
import sys
import re
import statistics
import threading
import time
import urllib.request
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from support.browser import process_tree, training_processes


class Wire:
    """What a tab and the server say over the websocket, timed by the browser's network stack (CDP events):
    when the tab asked for a rerun and when the server finished the run that answered it. The time between is
    the server's part of an interaction, apart from what the tab's renderer then takes to draw the answer
    (the browser's network process stamps the frames: when it is starved of CPU too, its delay is in them).
    The log tells why a click was lost, and `pages_run` whether the server had answered it."""

    FINISHED = ForwardMsg.FINISHED_SUCCESSFULLY

    def __init__(self):
        self.log = []  # (browser seconds, what): the recent exchange, to see why a click was lost
        self.server_times = []  # seconds from a user's rerun request to the end of the run that answered it
        self.asked = self.started = None
        self.page_names = {}  # page script hash -> the page's address, from the server's new_session messages
        self.running_page = ""
        self.pages_run = []  # the page of each run the server finished: did it answer a click the tab then lost?

    def page(self, script_hash: str, name: str = "") -> str:
        return self.page_names.get(script_hash) or name or script_hash[:6] or "(none named)"

    async def attach(self, context, page):
        cdp = await context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent", lambda e: self.sent(e["timestamp"], e["response"]))
        cdp.on("Network.webSocketFrameReceived", lambda e: self.received(e["timestamp"], e["response"]))
        await cdp.send("Network.enable")

    @staticmethod
    def decode(message, frame):
        if frame["opcode"] == 2 and len(frame["payloadData"]) < 100_000:  # a delta of charts is not of interest
            message.ParseFromString(base64.b64decode(frame["payloadData"]))
            return message
        return None

    def sent(self, when, frame):
        message = self.decode(BackMsg(), frame)
        if message is None or message.WhichOneof("type") != "rerun_script":
            return
        rerun = message.rerun_script
        auto = bool(rerun.fragment_id or rerun.is_auto_rerun)
        self.log.append((when, f"asks {'fragment ' + rerun.fragment_id[:6] if auto else 'run'} "
                               f"of page {self.page(rerun.page_script_hash, rerun.page_name)}"))
        if not auto and self.asked is None:
            self.asked = when

    def received(self, when, frame):
        message = self.decode(ForwardMsg(), frame)
        kind = message and message.WhichOneof("type")
        if kind == "new_session":
            self.page_names.update({p.page_script_hash: p.url_pathname or "home" for p in message.new_session.app_pages})
            self.running_page = self.page(message.new_session.page_script_hash)
            self.log.append((when, f"runs page {self.running_page} "
                                   f"(run {message.metadata.run.script_run_id[:4]})"))
            if self.asked is not None:
                self.started = when
        elif kind in ("navigation", "page_info_changed", "auto_rerun", "stop_auto_rerun", "page_not_found"):
            self.log.append((when, kind))
        elif frame["opcode"] == 2 and message is None:
            self.log.append((when, f"a large message ({len(frame['payloadData']) * 3 // 4000} kB)"))
        elif kind == "script_finished":
            self.log.append((when, f"finished ({ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)}, "
                                   f"run {message.metadata.run.script_run_id[:4]})"))
            if message.script_finished == self.FINISHED:
                self.pages_run.append(self.running_page)
            if message.script_finished == self.FINISHED and self.started is not None:
                self.server_times.append(when - self.asked)
                self.asked = self.started = None

    async def answered(self, before: int, timeout: float = 120.0):
        """Until the server has finished a run asked for after `before` answers (a lost click not counted)."""
        deadline = time.monotonic() + timeout
        while len(self.server_times) <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the server did not answer within {timeout:.0f} s")
            await asyncio.sleep(0.05)

    def recent(self, seconds: float = 15.0) -> str:
        if not self.log:
            return "nothing"
        last = self.log[-1][0]
        return "; ".join(f"{t - last:+.1f} s {what}" for t, what in self.log if t > last - seconds)


class ServerWatch(threading.Thread):
    """Samples every 0.2 s the memory of the server and its training processes, the server's threads, and
    how many training processes there are; also how long the server takes to answer its health check and
    how busy the machine's cores are, to tell a slow server from a busy machine."""

    def __init__(self, pid: int, url: str):
        super().__init__(daemon=True)
        self.pid, self.url, self.samples, self.health, self.running = pid, url, [], [], True
        self.busy = MachineBusy()
        self.client_cpu = {}  # pid -> CPU seconds, of this script's processes apart from the server: browsers

    def sample_clients(self):
        """Chromium's processes end without their parents counting their time: sample them while they run."""
        server = set(process_tree(self.pid))
        for pid in process_tree(os.getpid()):
            if pid not in server:
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                self.client_cpu[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def read(self) -> tuple:
        """(MB, threads, trainings): memory is the sum of the processes' proportional set sizes (PSS), which
        counts the pages they share once; trainings are the running `core.worker` processes in the tree."""
        tree = process_tree(self.pid)
        status = dict(line.split(":", 1) for line in open(f"/proc/{self.pid}/status"))
        return sum(pss_mb(pid) for pid in tree), int(status["Threads"]), len(training_processes(self.pid))

    def run(self):
        while self.running:
            self.samples.append(self.read())
            began = time.perf_counter()
            urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=60).read()
            self.health.append(time.perf_counter() - began)
            self.busy.sample()
            self.sample_clients()
            time.sleep(0.2)


def probe(url: str, conn, every: float = 1.0):
    """A client that costs next to nothing, in a process of its own: over a websocket of its own it asks the
    server for a rerun of the home page every second and times the answer, from the request sent to the
    run's end received. A browser tab's timings also wait for its renderer; these are the server's alone.
    Sends the list of seconds over `conn` when `conn` sends anything."""
    from websockets.sync.client import connect
    times = []
    with connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"], max_size=None) as ws:
        page = rerun(ws, "")  # the first run opens the home page and names it
        while not conn.poll(every):
            began = time.perf_counter()
            rerun(ws, page)
            times.append(time.perf_counter() - began)
    conn.send(times)


def rerun(ws, page: str) -> str:
    """Ask for a run of `page` and wait for it to finish; returns the page that ran."""
    ws.send(BackMsg(rerun_script=ClientState(page_script_hash=page)).SerializeToString())
    while True:
        message = ForwardMsg()
        message.ParseFromString(ws.recv())
        if message.WhichOneof("type") == "new_session":
            page = message.new_session.page_script_hash
        elif message.WhichOneof("type") == "script_finished" and message.script_finished == Wire.FINISHED:
            return page


class MachineBusy:
    """The share of all cores in use between samples, from /proc/stat."""

    def __init__(self):
        self.shares, self.last = [], self.read()

    @staticmethod
    def read() -> tuple:
        ticks = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + waiting for I/O

    def sample(self):
        now = self.read()
        self.shares.append(1 - (now[1] - self.last[1]) / max(now[0] - self.last[0], 1))
        self.last = now


def pss_mb(pid: int) -> float:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0.0  # ended meanwhile
    return int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) / 1024


def percentile(values, q):
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else float("nan"))


async def report_stages(sessions: list, every: float = 15.0):
    """Print where the sessions are, now and then, so a long run shows its progress."""
    began = time.perf_counter()
    while True:
        await asyncio.sleep(every)
        counts = {stage: sum(s.stage == stage for s in sessions) for stage in dict.fromkeys(s.stage for s in sessions)}
        print(f"{time.perf_counter() - began:5.0f} s  " + ", ".join(f"{n} {stage}" for stage, n in counts.items()),
              file=sys.stderr, flush=True)
