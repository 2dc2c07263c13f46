"""What recording layer statistics costs (core.nn.layer_stats via core.training.Trainer): one training step of the
fast preset (784-256-10, batch 128, float32) and of cnn-99's network (batch 64), with the statistics measured at
that step against without, interleaved; how much that adds per epoch at ~10 measured steps an epoch; and the time
to build the Train page's four live charts from MAX_STATS_POINTS points.

    python benchmarks/layer_stats_cost.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads

import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.nn.layer_stats import STATISTICS, LayerStats  # noqa: E402
from core.presets import preset_config  # noqa: E402
from core.training import MAX_STATS_POINTS, STATS_PER_EPOCH, Splits, Trainer  # noqa: E402
from ui.layer_stats_charts import layer_stat_chart  # noqa: E402

ROUNDS, STEPS = 5, 20


def step_times(preset: str, measured: bool) -> float:
    """Median seconds of one step, the statistics measured at every step (or at none)."""
    config = preset_config(preset)
    rng = np.random.default_rng(0)
    n = config.batch_size * STEPS
    trainer = Trainer(config, Splits(rng.random((n, 784), np.float32), rng.integers(0, 10, n),
                                     np.empty((0, 784), np.float32), np.empty(0, int)))
    trainer.stats_per_epoch = STEPS if measured else 0  # every step, or none
    times, steps = [], trainer.run(1)
    for event in steps:
        if event.kind == "step":
            times.append(time.perf_counter())
    return float(np.median(np.diff(times)))


def main():
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for preset in ("fast", "cnn-99"):
        step_times(preset, True)  # warm up (first large allocations)
        with_stats, without = [], []
        for _ in range(ROUNDS):
            with_stats.append(step_times(preset, True))
            without.append(step_times(preset, False))
        extra = np.median(with_stats) - np.median(without)
        print(f"{preset}: a step {np.median(without) * 1e3:.2f} ms, measured {np.median(with_stats) * 1e3:.2f} ms "
              f"(+{extra * 1e3:.2f} ms); at {STATS_PER_EPOCH} measured steps an epoch: "
              f"+{extra * STATS_PER_EPOCH * 1e3:.1f} ms an epoch")
    layers = 3
    points = [LayerStats(i, i / 10, *(np.random.default_rng(i).random(layers if s != "dead_share" else layers - 1)
                                      .astype(np.float32) for s in STATISTICS)) for i in range(MAX_STATS_POINTS)]
    began = time.perf_counter()
    for _ in range(5):
        figs = [layer_stat_chart(points, ["W1", "W2", "W3"], s) for s in STATISTICS]
    built = (time.perf_counter() - began) / 5
    size = sum(len(f.to_json()) for f in figs)
    print(f"four charts of {MAX_STATS_POINTS} points x {layers} layers: built in {built * 1e3:.0f} ms, "
          f"{size / 1024:.0f} KB of JSON")


if __name__ == "__main__":
    main()
