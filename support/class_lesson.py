"""A class played by browserless learners (support/learner.py), with the server watched: `run(N)` returns the
figures benchmarks/class_load.py prints and tests/e2e/test_class_load.py checks.

The lesson: open Home; open the teacher's link to Train (784-32-10, 3 epochs, 5,000 images: one link for the
whole class), press Start and watch it until it has finished (the page's timers asking for live updates, as a
tab's do); open Draw and draw 5 digits (real drawings, tests/data/drawn_digits.npz); open Weights, then
Evaluate. Learners arrive evenly over `arrive_over` seconds and think 1-3 s between actions. `tabs` real browser
tabs play the load test's class alongside (support/class_play.py) and show what a learner sees.
"""
import asyncio
import base64
import io
import json
import random
import shutil
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from support.browser import CHROMIUM_FLAGS, ROOT, cpu_busy, cpu_seconds
from support.learner import LIVE_UPDATE, Learner, Unanswered
from support.servers import started
from support.watch import ServerWatch, percentile, report_stages

LINK = "hidden=32&epochs=3&images=5000&batch=64&optimizer=adam&lr=0.002&seed=1"  # the teacher's link, for all
START, DRAW = "press Start", "drawing -> prediction"
DIGITS = 5
WINDOW = 15  # seconds: actions are also summed up by when in the class they were asked
FINISH_WITHIN = 600  # seconds a learner watches before its training counts as lost
DRAWINGS = np.load(ROOT / "tests" / "data" / "drawn_digits.npz")["images"]


def drawing_value(image: np.ndarray) -> str:
    """The canvas's value for a (28, 28) uint8 digit, as streamlit-drawable-canvas sends it: the 280 x 280 picture
    (white ink on black, as drawn) as a PNG data URL, and Fabric.js's description of the canvas."""
    big = np.kron(image, np.ones((10, 10), np.uint8))
    rgba = np.dstack([big, big, big, np.full_like(big, 255)])
    png = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(png, "PNG")
    url = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()
    return json.dumps({"drawing": {"raw": {"version": "7.4.0", "objects": [], "background": "#000000"}, "data": url}})


@dataclass
class Lesson:
    number: int
    stage: str = "arriving"
    queued: bool = False
    own_model: bool = False
    model: str = ""
    predictions: int = 0
    picker_at_once: bool = False  # the page that said the training had finished showed its model as current
    learner: Learner = None
    errors: list = field(default_factory=list)


async def lesson(url: str, me: Lesson, delay: float, think: random.Random):
    await asyncio.sleep(delay)
    pause = lambda: asyncio.sleep(think.uniform(1.0, 3.0))  # noqa: E731 - a learner reads before acting
    try:
        async with Learner(url) as learner:
            me.learner = learner
            me.stage = "on Home"
            await learner.open("")
            await pause()
            me.stage = "on Train"
            await learner.open("train", LINK)
            await pause()
            me.stage = "training"
            await learner.press("Start", START)
            over = lambda run: run.fragments == () and any(text.startswith(("Finished:", "Stopped at epoch"))  # noqa: E731
                                                           for text in run.texts)
            finished = await learner.watch(over, FINISH_WITHIN)
            me.queued = any("Waiting:" in text for run in learner.runs for text in run.texts)
            if not finished:
                raise TimeoutError(f"no finished training after {FINISH_WITHIN} s; the page said "
                                   + " | ".join(learner.runs[-1].texts[-4:]))
            shown = next(run for run in reversed(learner.runs) if over(run)).texts  # "now the current one": is it?
            me.picker_at_once = any(text.startswith("Current model: Run ") for text in shown)
            me.stage = "drawing"
            await pause()
            await learner.open("draw")
            for i in range(DIGITS):
                await pause()
                run = await learner.draw(drawing_value(DRAWINGS[(me.number * DIGITS + i) % len(DRAWINGS)]), DRAW)
                me.predictions += any(text.startswith("Prediction") for text in run.texts)
            me.stage = "on Weights, Evaluate"
            for page in ("weights", "evaluate"):
                await pause()
                await learner.open(page)
            me.model = learner.picked_model()
            me.own_model = me.model.startswith("Run ")  # trained in this session: never another's model
            me.stage = "done"
    except (Unanswered, TimeoutError, KeyError, OSError) as err:
        me.errors.append(f"{me.stage}: {type(err).__name__}: {err}")
    if me.learner:
        me.errors += me.learner.errors
    if me.predictions != DIGITS and not me.errors:
        me.errors.append(f"{DIGITS - me.predictions} drawings got no prediction")


async def class_of(url: str, count: int, arrive_over: float, tabs: int) -> tuple:
    from playwright.async_api import async_playwright
    from support.class_play import Session, one_session
    lessons = [Lesson(n) for n in range(count)]
    sessions = [Session(1000 + n) for n in range(tabs)]
    report = asyncio.create_task(report_stages(lessons))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        await asyncio.gather(
            *(lesson(url, me, arrive_over * me.number / max(count - 1, 1), random.Random(me.number)) for me in lessons),
            *(one_session(browser, url, s, arrive_over * (i + 1) / (tabs + 1)) for i, s in enumerate(sessions)))
        await browser.close()
    report.cancel()
    return lessons, sessions


async def teacher(apps: list):
    """Before the class, the teacher opens the app, Home and the link to Train, on each app process: its shared
    data loads then, not under the class."""
    for app in apps:
        async with Learner(app) as visitor:
            await visitor.open("")
            await visitor.open("train", LINK)


def run(count: int, arrive_over: float = 30.0, tabs: int = 0, balanced: int = 0, pin: bool = False,
        cold: bool = False) -> dict:
    """Start the app (one process, or `balanced` behind HAProxy), play the class, and return the figures.
    `cold`: the class meets processes nobody has opened yet (else the teacher has, see `teacher`)."""
    with started(balanced, pin) as (url, pid, apps):
        if not cold:
            asyncio.run(teacher(apps))
            while cpu_busy(pid, 1.0) > 0.2:  # until the processes have loaded what they share
                pass
        watch = ServerWatch(pid, url)
        memory_before = watch.read()[0]
        server_cpu, own_cpu = cpu_seconds(pid), time.process_time()
        watch.start()
        began = time.monotonic()
        lessons, sessions = asyncio.run(class_of(url, count, arrive_over, tabs))
        took = time.monotonic() - began
        watch.running = False
        cpu = cpu_seconds(pid) - server_cpu, time.process_time() - own_cpu
        left = time.monotonic()
        while cpu_busy(pid, 1.0) > 0.2 and time.monotonic() - left < 90:
            pass
        idle_after = time.monotonic() - left
        memory_after, _, trainings_after = watch.read()
    times = {}
    for me in lessons:
        for kind, seconds in (me.learner.times if me.learner else {}).items():
            times.setdefault(kind, []).extend(seconds)
    actions = [t for kind, seconds in times.items() if kind != LIVE_UPDATE for t in seconds]
    by_moment = {}  # the actions asked in each WINDOW seconds of the class: where the slow ones are
    for me in lessons:
        for asked, kind, seconds in me.learner.timeline if me.learner else []:
            if kind != LIVE_UPDATE:
                by_moment.setdefault(int((asked - began) // WINDOW) * WINDOW, []).append(seconds)
    tab_times = [t for s in sessions for seconds in s.interactions.values() for t in seconds]
    return {"learners": count, "balanced": balanced, "cold": cold, "seconds": took, "times": times,
            "p50": percentile(actions, 50), "p95": percentile(actions, 95), "p99": percentile(actions, 99),
            "errors": sum(len(me.errors) for me in lessons), "error texts": [e for me in lessons for e in me.errors],
            "lost": sum(me.learner.lost for me in lessons if me.learner),
            "own model": sum(me.own_model for me in lessons),
            "picker at once": sum(me.picker_at_once for me in lessons), "queued": sum(me.queued for me in lessons),
            "by moment": dict(sorted(by_moment.items())),
            "predictions": sum(me.predictions for me in lessons),
            "spread": Counter(me.learner.cookie.rpartition("=")[2] for me in lessons if me.learner and me.learner.cookie),
            "tabs": (len(sessions), sum(s.own_model for s in sessions), sum(bool(s.errors) for s in sessions),
                     percentile(tab_times, 50), percentile(tab_times, 95)),
            "memory": (memory_before, max(m for m, _, _ in watch.samples), memory_after),
            "trainings": (max(t for _, _, t in watch.samples), trainings_after), "idle after": idle_after,
            "health": (percentile(watch.health, 50), percentile(watch.health, 95)),
            "machine busy": statistics.mean(watch.busy.shares), "cpu": cpu}
