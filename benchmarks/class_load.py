"""A class at once, measured without browsers: N learners that speak Streamlit's websocket protocol
(support/learner.py), each playing one lesson against one `streamlit run` on 127.0.0.1, or against N app
processes behind HAProxy (`--balanced 2`, started by `python -m deploy`).

The lesson: open Home; open the teacher's link to Train (784-32-10, 3 epochs, 5,000 images, the learner's own
seed), press Start and watch it until it has finished (the page's timers asking for live updates, as a tab's
do); open Draw and draw 5 digits (real drawings, tests/data/drawn_digits.npz); open Weights, then Evaluate.
Learners arrive evenly over --arrive-over seconds and think 1-3 s between actions. Two real browser tabs
(--tabs) play the load test's class alongside (support/class_play.py) and show what a learner sees.

    python -m benchmarks.class_load --learners 30 [--balanced 2] [--tabs 2] [--pin]

Prints a table and, last, `learners=N errors=E own_model=K p95_s=X p99_s=Y peak_mb=M`: p95/p99 over every
action a learner waits for (opening a page, Start, a drawing's prediction), live updates apart.
"""
import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from support.browser import CHROMIUM_FLAGS, cpu_busy, cpu_seconds  # noqa: E402
from support.learner import LIVE_UPDATE, Learner, Unanswered  # noqa: E402
from support.servers import started  # noqa: E402
from support.watch import ServerWatch, percentile, report_stages  # noqa: E402

LINK = "hidden=32&epochs=3&images=5000&batch=64&optimizer=adam&lr=0.002&seed={seed}"
START, DRAW, OPEN = "press Start", "drawing -> prediction", "open a page"
DIGITS = 5
FINISH_WITHIN = 600  # seconds a learner watches before its training counts as lost
DRAWINGS = np.load(ROOT / "tests" / "data" / "drawn_digits.npz")["images"]


@dataclass
class Lesson:
    number: int
    stage: str = "arriving"
    queued: bool = False
    own_model: bool = False
    model: str = ""
    predictions: int = 0
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
            await learner.open("train", LINK.format(seed=me.number))
            await pause()
            me.stage = "training"
            await learner.press("Start", START)
            finished = await learner.watch(lambda run: run.fragments == () and any(
                text.startswith("Current model: Run ") for text in run.texts), FINISH_WITHIN)
            me.queued = any("Waiting:" in text for run in learner.runs for text in run.texts)
            if not finished:
                raise TimeoutError(f"no finished training after {FINISH_WITHIN} s")
            me.stage = "drawing"
            await pause()
            await learner.open("draw")
            for i in range(DIGITS):
                await pause()
                run = await learner.draw(DRAWINGS[(me.number * DIGITS + i) % len(DRAWINGS)], DRAW)
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


def run(count: int, arrive_over: float = 30.0, tabs: int = 0, balanced: int = 0, pin: bool = False) -> dict:
    """Start the app (one process, or `balanced` behind HAProxy), play the class, and return the figures."""
    with started(balanced, pin) as (url, pid):
        watch = ServerWatch(pid, url)
        memory_before = watch.read()[0]
        server_cpu, own_cpu = cpu_seconds(pid), time.process_time()
        watch.start()
        began = time.perf_counter()
        lessons, sessions = asyncio.run(class_of(url, count, arrive_over, tabs))
        took = time.perf_counter() - began
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
    tab_times = [t for s in sessions for seconds in s.interactions.values() for t in seconds]
    return {"learners": count, "balanced": balanced, "seconds": took, "times": times,
            "p50": percentile(actions, 50), "p95": percentile(actions, 95), "p99": percentile(actions, 99),
            "errors": sum(len(me.errors) for me in lessons), "error texts": [e for me in lessons for e in me.errors],
            "lost": sum(me.learner.lost for me in lessons if me.learner),
            "own model": sum(me.own_model for me in lessons), "queued": sum(me.queued for me in lessons),
            "predictions": sum(me.predictions for me in lessons),
            "tabs": (len(sessions), sum(s.own_model for s in sessions), sum(bool(s.errors) for s in sessions),
                     percentile(tab_times, 50), percentile(tab_times, 95)),
            "memory": (memory_before, max(m for m, _, _ in watch.samples), memory_after),
            "trainings": (max(t for _, _, t in watch.samples), trainings_after), "idle after": idle_after,
            "health": (percentile(watch.health, 50), percentile(watch.health, 95)),
            "machine busy": statistics.mean(watch.busy.shares), "cpu": cpu}


def table(f: dict) -> list:
    """(what, figure, target) rows."""
    rows = [("learners with their own model at the end", f"{f['own model']} of {f['learners']}", "all"),
            ("errors (lost messages among them)", f"{f['errors']} ({f['lost']})", "0"),
            ("drawings answered with a prediction", f"{f['predictions']} of {f['learners'] * DIGITS}", "all"),
            ("trainings that waited for a slot, with the message", f["queued"], ""),
            ("action a learner waits for: p50 / p95 / p99 (s)", "{:.2f} / {:.2f} / {:.2f}".format(
                f["p50"], f["p95"], f["p99"]), "p95 < 1 (30), < 2 (60)")]
    rows += [(f"  {kind}: p50 / p95 / max (s), n={len(t)}", f"{percentile(t, 50):.2f} / {percentile(t, 95):.2f} / "
              f"{max(t):.2f}", "") for kind, t in f["times"].items() if t]
    tabs, memory, trainings = f["tabs"], f["memory"], f["trainings"]
    if tabs[0]:
        rows.append((f"browser tabs alongside: own model, errors, click to idle p50 / p95 (s)",
                     f"{tabs[1]} of {tabs[0]}, {tabs[2]}, {tabs[3]:.2f} / {tabs[4]:.2f}", ""))
    return rows + [
        ("memory MB of the app and its trainings (PSS): before / peak / after",
         f"{memory[0]:.0f} / {memory[1]:.0f} / {memory[2]:.0f}", "peak < 1,500"),
        ("training processes: peak / after", f"{trainings[0]} / {trainings[1]}", "0 after"),
        ("app idle again after the class left (s)", f"{f['idle after']:.1f}", "< 60"),
        ("health check p50 / p95 (s)", "{:.3f} / {:.3f}".format(*f["health"]), ""),
        ("machine's cores busy, mean", f"{f['machine busy']:.0%}", ""),
        ("CPU seconds: app and trainings / this generator", "{:.0f} / {:.0f}".format(*f["cpu"]), "")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--arrive-over", type=float, default=30.0, help="seconds over which learners arrive")
    parser.add_argument("--tabs", type=int, default=2, help="real browser tabs alongside (0 for none)")
    parser.add_argument("--balanced", type=int, default=0, metavar="N",
                        help="N app processes behind HAProxy (python -m deploy) instead of one streamlit run")
    parser.add_argument("--pin", action="store_true", help="the app on core 0, this generator on the others")
    args = parser.parse_args()
    f = run(args.learners, args.arrive_over, args.tabs, args.balanced, args.pin)
    where = f"{args.balanced} app processes behind HAProxy" if args.balanced else "one app process"
    print(f"\n{args.learners} learners on {where}, arriving over {args.arrive_over:.0f} s; done in {f['seconds']:.0f} s")
    for what, figure, target in table(f):
        print(f"{what:<68} {figure!s:>24}   {target}")
    for text in f["error texts"][:10]:
        print("error:", text)
    print(f"learners={f['learners']} errors={f['errors']} own_model={f['own model']} p95_s={f['p95']:.2f} "
          f"p99_s={f['p99']:.2f} peak_mb={f['memory'][1]:.0f}")


if __name__ == "__main__":
    main()
