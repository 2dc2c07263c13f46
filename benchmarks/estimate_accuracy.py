"""The Train page's time estimate against the real training time, for every preset, side by side.

Each preset trains for one epoch (two for full-batch ones, whose first step pays one-off costs) on a share of
the training images; its estimate is measured just before, as the page does, and in a fresh process that has
allocated nothing large yet. The server and the training process both start by loading images, so they are
like the warm column: until a process has freed a large array, glibc hands out big blocks with fresh pages each
time (its dynamic mmap threshold), and convolutional steps run about 1.5× slower there.

The estimate is processor time; the training's processor time is beside its wall-clock time, and the load
average (runnable processes per core) says how much longer the wall clock took because others used the cores.

    python benchmarks/estimate_accuracy.py [--images 10000]

With --steadiness N it instead estimates the fast preset (all 55,000 images, as the page does) N times, timed
on the wall clock and in processor time alternately, then trains it once: the spread of each beside the real time.

    python benchmarks/estimate_accuracy.py --steadiness 8
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the app: processor time of this thread is all the work

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from core.data import load_mnist  # noqa: E402
from core.presets import PRESETS, preset_config  # noqa: E402
from core.training import Trainer, estimate_seconds, make_splits  # noqa: E402


def config_for(name: str, images: int):
    config = preset_config(name, train_size=images)
    return replace(config, epochs=2 if config.batch_size is None else 1)


def fresh_estimate(name: str, images: int) -> float:
    code = (f"from benchmarks.estimate_accuracy import config_for; from core.training import estimate_seconds; "
            f"c = config_for({name!r}, {images}); print(estimate_seconds(c, c.train_size))")
    return float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=10_000, help="training images per preset (default 10,000)")
    parser.add_argument("--steadiness", type=int, default=0, help="estimate the fast preset this many times")
    args = parser.parse_args()
    if args.steadiness:
        return steadiness(args.steadiness)
    images = args.images
    train_images, train_labels = load_mnist("train")
    print(f"{'preset':<18} {'fresh est.':>10} {'estimate':>9} {'actual cpu':>10} {'cpu / estimate':>15} "
          f"{'actual wall':>11} {'load / core':>11}")
    for name in PRESETS:
        config = config_for(name, images)
        fresh = fresh_estimate(name, images)
        estimate = estimate_seconds(config, config.train_size)
        trainer = Trainer(config, make_splits(config, train_images, train_labels))
        began, cpu_began = time.perf_counter(), time.thread_time()
        for _ in trainer.run():
            pass
        wall, cpu = time.perf_counter() - began, time.thread_time() - cpu_began
        print(f"{name:<18} {fresh:9.2f}s {estimate:8.2f}s {cpu:9.2f}s {cpu / estimate:15.2f} {wall:10.2f}s "
              f"{os.getloadavg()[0] / os.cpu_count():11.2f}", flush=True)


def steadiness(repeats: int):
    config = preset_config("fast", train_size=55_000)
    train_images, train_labels = load_mnist("train")
    clocks = {"wall clock": time.perf_counter, "processor time": time.thread_time}
    figures = {name: [] for name in clocks}
    for _ in range(repeats):
        for name, clock in clocks.items():
            figures[name].append(estimate_seconds(config, config.train_size, clock=clock))
    trainer = Trainer(config, make_splits(config, train_images, train_labels))
    began, cpu_began = time.perf_counter(), time.thread_time()
    for _ in trainer.run():
        pass
    wall, cpu = time.perf_counter() - began, time.thread_time() - cpu_began
    for name, values in figures.items():
        shown = " ".join(f"{v:5.1f}" for v in values)
        print(f"{name:<15} estimates: {shown} s  (max / min {max(values) / min(values):.2f})")
    print(f"the training: {wall:.1f} s on the wall clock, {cpu:.1f} s of processor time; "
          f"load average {os.getloadavg()[0] / os.cpu_count():.2f} per core")


if __name__ == "__main__":
    main()
