"""A class on one hosted app, played by N headless browser sessions against one `streamlit run` on 127.0.0.1.

Each session opens a shared class link to the Train page (a small preset), starts training, draws
digits while it trains, waits for its model and checks that the model is its own. `run(N)` returns the
figures: sessions that finished with their own model, trainings that queued, times for an interaction
(a rerun) while trainings run, and the server's memory and threads before, during and after.
Interactions are timed three ways: as a tab sees them (click to idle page), the server's part of them
(request to end of run, on the websocket), and a rerun asked every second by a client without a
browser (no renderer to wait for: the server's time alone, on cores it shares with the browsers).
benchmarks/load_test.py prints them; tests/e2e/test_load.py plays a class of four.
"""
import asyncio
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-output" / "load-test"  # a screenshot of each session that failed, to see why
sys.path.insert(0, str(ROOT))
from playwright.async_api import TimeoutError as PlaywrightTimeout, async_playwright  # noqa: E402
from support.browser import (CANVAS, CHROMIUM_FLAGS, IDLE, cpu_busy, cpu_seconds, free_port,  # noqa: E402
                             start_server, stop_server)
from support.watch import ServerWatch, Wire, percentile, probe, report_stages  # noqa: E402

START, OPEN_PAGE, DRAW = "press Start", "open a page", "draw -> prediction"
PAGE_WITHIN = 60_000  # milliseconds a page may take to show what an action asked for
FINISH_WITHIN = 600  # seconds a session waits for its training before it counts as an error
# On a page's link (/train) Streamlit's frontend first looks for its server under that path, gets a 404
# and then uses the root: its own probe, not an error of the app.
BASE_PATH_PROBE = re.compile(r"/[a-z_]+/_stcore/(health|host-config)$")
LINK = "/train?hidden=32&epochs=3&images=5000&batch=64&optimizer=adam&lr=0.002&seed={seed}"


@dataclass
class Session:
    seed: int
    queued: bool = False
    lost_clicks: int = 0
    model: str = ""  # the current model when the session ended
    connections: int = 0  # websockets the tab opened to the server; more than one means it reconnected
    own_model: bool = False
    stage: str = "opening the class link"
    errors: list = field(default_factory=list)
    interactions: dict = field(default_factory=dict)  # kind -> seconds from an action to the page being idle again
    wire: "Wire" = None
    lost_click_logs: list = field(default_factory=list)  # what went over the wire before each lost click
    # Clicks on a page link that the server answered (it ran that page to the end) while the tab went on showing the
    # page it left: Streamlit's frontend, seen when a fragment's timer asked for a rerun just before the click.
    unshown_pages: int = 0

    def click_lost(self, what: str, answered: bool = False):
        self.lost_clicks += not answered
        self.unshown_pages += answered
        self.lost_click_logs.append(f"{what}{' (the server ran that page)' if answered else ''} "
                                    f"(seconds before the last message): {self.wire.recent(PAGE_WITHIN / 1000 + 5)}")


async def settle(page, timeout=120_000):
    await page.wait_for_timeout(50)
    await page.wait_for_selector(IDLE, timeout=timeout)


async def navigate(session: Session, page, link: str, title: str):
    """Open a page from the sidebar and wait for its title; a click lost in a rerun is counted and repeated."""
    began = time.perf_counter()
    for attempt in range(3):
        runs_before = len(session.wire.pages_run)
        await page.locator("[data-testid=stSidebarNav] a", has_text=link).first.click()
        try:
            await page.locator("h1", has_text=title).first.wait_for(timeout=PAGE_WITHIN)
            break
        except PlaywrightTimeout:
            answered = any(run.lower().startswith(link.lower()) for run in session.wire.pages_run[runs_before:])
            session.click_lost(f"open {link}", answered)
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SHOTS / f"lost-click-{session.seed}-{session.lost_clicks + session.unshown_pages}.png", full_page=True)
    await settle(page)
    session.interactions.setdefault(OPEN_PAGE, []).append(time.perf_counter() - began)


async def one_session(browser, url: str, session: Session, delay: float):
    await asyncio.sleep(delay)  # a class does not open the link in the same second
    context = await browser.new_context(viewport={"width": 1000, "height": 700})
    page = await context.new_page()
    session.wire = Wire()
    await session.wire.attach(context, page)
    page.on("console", lambda m: session.errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: session.errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not BASE_PATH_PROBE.search(r.url) else None)
    page.on("websocket", lambda ws: setattr(session, "connections", session.connections + 1)
            if ws.url.endswith("/_stcore/stream") else None)
    pending = {}  # requests under way -> when they began: the ones a failed session still waited for say why
    page.on("request", lambda r: pending.setdefault(r, time.perf_counter()))
    page.on("requestfinished", lambda r: pending.pop(r, None))
    page.on("requestfailed", lambda r: pending.pop(r, None))
    try:
        await page.goto(url + LINK.format(seed=session.seed), timeout=PAGE_WITHIN)
        start = page.locator("[data-testid=stMain]").get_by_role("button", name="Start")
        await start.and_(page.locator(":enabled")).wait_for(timeout=PAGE_WITHIN)  # the page has loaded
        await settle(page)
        session.stage = "starting its training"
        began = time.perf_counter()
        for attempt in range(3):
            await start.click()
            try:  # a training of this session (running, queued or done) replaces the "no training yet" note
                await page.get_by_text("No training yet").wait_for(state="detached", timeout=PAGE_WITHIN)
                break
            except PlaywrightTimeout:
                session.click_lost("Start")
        await settle(page)
        session.interactions.setdefault(START, []).append(time.perf_counter() - began)
        if await page.get_by_text("Waiting:").count():
            session.queued = True
        for stroke in range(3):  # draw while the trainings run
            session.stage = f"drawing digit {stroke + 1}"
            await navigate(session, page, "Draw", "Draw a digit")
            canvas = page.locator(CANVAS)
            await canvas.wait_for(timeout=60_000)
            box = await canvas.bounding_box()
            await page.mouse.move(box["x"] + 140, box["y"] + 40)
            await page.mouse.down()
            await page.mouse.move(box["x"] + 140 + 10 * stroke, box["y"] + 240, steps=8)
            began, answers = time.perf_counter(), len(session.wire.server_times)
            await page.mouse.up()  # the canvas sends the stroke 0.2 s later: until then the last prediction shows
            await session.wire.answered(answers)
            await page.locator("[data-testid=stMetric]").first.wait_for(timeout=120_000)
            await settle(page)
            session.interactions.setdefault(DRAW, []).append(time.perf_counter() - began)
            if await page.get_by_text("Waiting:").count():
                session.queued = True
        await navigate(session, page, "Train", "Train a network")
        session.stage = "waiting for its training to finish"
        deadline = time.monotonic() + FINISH_WITHIN
        while time.monotonic() < deadline:  # until this session's training is over
            if not await page.locator("h1", has_text="Train a network").count():
                session.click_lost("back on Draw")  # a late canvas rerun took the tab back: go to Train again
                await navigate(session, page, "Train", "Train a network")
            if await page.get_by_text("Waiting:").count():
                session.queued = True
            if await page.get_by_text("Finished:").count():
                break
            await page.wait_for_timeout(500)
        else:
            raise TimeoutError(f"no finished training after {FINISH_WITHIN} s")
        await settle(page)
        picked = await page.locator("[data-testid=stSidebar] [data-testid=stSelectbox] input").first.input_value()
        session.model = picked
        session.own_model = picked.startswith("Run ")  # a model trained in this session (never another's)
        if not session.own_model:  # what the picker offers then, to tell a lost model from a lost selection
            await page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.click()
            options = await page.locator("[role=option]").all_inner_texts()
            session.errors.append(f"picker shows {picked!r}, offers {options}")
            SHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=SHOTS / f"not-own-model-{session.seed}.png", full_page=True)
        session.stage = "finished"
        if await page.locator("[data-testid=stException]").count():
            session.errors.append("an exception on the page")
    except Exception as err:  # noqa: BLE001 - a failed session is a result, reported in the table
        waiting = ", ".join(f"{r.url.split('/', 3)[-1]} ({time.perf_counter() - t:.0f} s)" for r, t in pending.items())
        session.errors.append(f"{session.stage}: {type(err).__name__}: {str(err).splitlines()[0]}"[:200]
                              + f"; requests still under way: {waiting or 'none'}"[:600])
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=SHOTS / f"failed-session-{session.seed}.png", full_page=True)
    finally:
        await context.close()


async def class_of(url: str, count: int, arrive_over: float) -> list:
    sessions = [Session(seed) for seed in range(count)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        report = asyncio.create_task(report_stages(sessions))
        await asyncio.gather(*(one_session(browser, url, s, delay=arrive_over * s.seed / max(count - 1, 1))
                               for s in sessions))
        report.cancel()
        await browser.close()
    return sessions


def run(count: int, arrive_over: float = 0.0, split_cores: bool = False) -> dict:
    """Start a server, run the class of `count` sessions, and return the figures.

    `split_cores`: the server and its trainings on core 0, the browsers on the others, as if the class's
    browsers ran on machines of their own (they would not take the server's cores).
    """
    port = free_port()
    server = start_server(port)
    if split_cores:
        os.sched_setaffinity(server.pid, {0})  # its training processes inherit it
        os.sched_setaffinity(0, set(range(1, os.cpu_count())))  # this process, Playwright and Chromium
    url = f"http://127.0.0.1:{port}"
    try:
        urllib.request.urlopen(url, timeout=30)
        watch = ServerWatch(server.pid, url)
        memory_before, threads_before, _ = watch.read()
        server_cpu = cpu_seconds(server.pid)
        watch.start()
        probe_end, probe_conn = multiprocessing.Pipe()
        prober = multiprocessing.get_context("spawn").Process(target=probe, args=(url, probe_conn), daemon=True)
        prober.start()
        if split_cores:
            os.sched_setaffinity(prober.pid, {0})  # with the server: a starved client would time itself
        probe_conn.close()  # the probe's end is in the probe: a probe that fails ends the pipe
        began = time.perf_counter()
        sessions = asyncio.run(class_of(url, count, arrive_over))
        took = time.perf_counter() - began
        try:
            probe_end.send("stop")
            probe_times = probe_end.recv()
        except (EOFError, OSError):
            probe_times = []  # it failed, its traceback printed: the table shows n=0
        prober.join()
        watch.running = False
        cpu_used = cpu_seconds(server.pid) - server_cpu, sum(watch.client_cpu.values())
        closed = time.monotonic()
        while cpu_busy(server.pid, 1.0) > 0.2 and time.monotonic() - closed < 90:
            pass
        idle_after = time.monotonic() - closed
        memory_after, threads_after, processes_after = watch.read()
    finally:
        stop_server(server)
    kinds = {kind: [t for s in sessions for t in s.interactions.get(kind, [])] for kind in (START, OPEN_PAGE, DRAW)}
    times = kinds[START] + kinds[OPEN_PAGE]
    server_times = [t for s in sessions for t in s.wire.server_times]
    return {"sessions": count, "own model": sum(s.own_model for s in sessions),
            "models": [s.model for s in sessions], "queued": sum(s.queued for s in sessions),
            "errors": sum(bool(s.errors) for s in sessions),
            "lost clicks": sum(s.lost_clicks for s in sessions),
            "pages not shown": sum(s.unshown_pages for s in sessions),
            "reconnections": sum(max(s.connections - 1, 0) for s in sessions),
 "error texts": [e for s in sessions for e in s.errors][:5],
            "p50": percentile(times, 50), "p95": percentile(times, 95),
            "probe": (percentile(probe_times, 50), percentile(probe_times, 95), len(probe_times)),
            "server part": (percentile(server_times, 50), percentile(server_times, 95), len(server_times)),
            "lost click logs": [log for s in sessions for log in s.lost_click_logs],
            "by kind": {kind: (percentile(t, 50), percentile(t, 95), len(t)) for kind, t in kinds.items()}, "seconds": took,
            "memory": (memory_before, max(m for m, _, _ in watch.samples), memory_after),
            "threads": (threads_before, max(t for _, t, _ in watch.samples), threads_after),
            "processes": (max(p for _, _, p in watch.samples), processes_after), "idle after": idle_after,
            "health": (percentile(watch.health, 50), percentile(watch.health, 95)),
            "machine busy": (statistics.mean(watch.busy.shares), percentile(watch.busy.shares, 95)),
            "cpu": cpu_used}
