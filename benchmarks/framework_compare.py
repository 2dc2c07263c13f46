"""Core against PyTorch: the same network trained by both, with only the arithmetic different.

Both run core's own training loop (core.training.Trainer): the same training/validation split, the same batches in
the same order, the same learning rate at every step (the preset's schedule), from the same initial weights (one
network built by core, copied for each run; PyTorch's tensors share memory with its copy). Only each step differs:
core's NumPy forward, backward and Adam, or PyTorch's autograd and torch.optim. Float32 in both (--dtype float64
shows that the weights then agree to ~1e-15, so the float32 differences are rounding alone); NumPy on one BLAS
thread (as the app), PyTorch on one thread and then on its default number. Epochs alternate between the three runs,
so a busy machine slows them alike.

Prints test accuracy, final training loss, wall and processor seconds per epoch (steps only, median epoch),
images/s, one batch's forward + backward, and how far the trainings agree: the largest weight difference after
the first step and after the run, and how many test predictions agree with core's.

    pip install -r benchmarks/requirements-torch.txt     # PyTorch 2.13.0, CPU; optional
    python benchmarks/framework_compare.py [--preset fast] [--epochs 8] [--train-size N] [--dtype float64]
"""
import argparse
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--preset", default="fast", help="a dense preset with softmax output (default fast)")
parser.add_argument("--epochs", type=int, help="override the preset's epochs (and its schedule's length)")
parser.add_argument("--train-size", type=int, help="train on the first N training images only")
parser.add_argument("--dtype", default="float32", choices=("float32", "float64"),
                    help="float64 shows the maths are the same: the differences shrink to rounding (~1e-15)")
args = parser.parse_args()
os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before NumPy loads, as app.py does

try:
    import torch
except ImportError:
    print("PyTorch is not installed: pip install -r benchmarks/requirements-torch.txt", file=sys.stderr)
    sys.exit(2)

import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
from torch.nn import functional  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from core.data import load_mnist, to_inputs  # noqa: E402
from core.presets import preset_config  # noqa: E402
from core.training import Trainer, build_network, make_splits  # noqa: E402

TORCH_ACTIVATIONS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
                     "leaky_relu": lambda Z: functional.leaky_relu(Z, 0.01)}  # core's LEAKY_SLOPE
TORCH_OPTIMIZERS = {  # core.nn.optim's maths: Adam with eps outside the bias-corrected sqrt, SGD's v <- m v + g
    "adam": lambda groups, c: torch.optim.Adam(groups, c.learning_rate),
    "sgd": lambda groups, c: torch.optim.SGD(groups, c.learning_rate),
    "momentum": lambda groups, c: torch.optim.SGD(groups, c.learning_rate, momentum=c.momentum),
}
TIMED_BATCHES = 200  # forward + backward of one batch, timed this many times per contender


class ClockedTrainer(Trainer):
    """Core's trainer, also adding up the processor time of its steps (its `elapsed` is wall-clock time)."""
    cpu = 0.0
    threads = 1

    def _train_step(self, Xb, yb, lr: float) -> tuple:
        began = time.process_time()
        result = super()._train_step(Xb, yb, lr)
        self.cpu += time.process_time() - began
        return result

    def forward_backward(self, Xb, yb):
        """The gradients of one batch, as a step computes them."""
        return self.network.gradients(Xb, yb, self.config.l2)


class TorchTrainer(ClockedTrainer):
    """Core's training loop with PyTorch doing each step: forward, autograd's backward, torch.optim's update.

    The tensors share memory with `self.network`'s arrays (W1, b1, W2, b2, ...), so the loop's validation and the
    comparisons read what PyTorch trained. L2 is torch's weight_decay on the weights, which adds l2 W to their
    gradient as core does.
    """

    def __init__(self, config, splits, network, threads: int):
        super().__init__(config, splits, network)
        self.threads = threads
        self.tensors = [torch.from_numpy(p).requires_grad_() for p in network.params().values()]
        groups = [{"params": self.tensors[0::2], "weight_decay": config.l2}, {"params": self.tensors[1::2]}]
        self.torch_optimizer = TORCH_OPTIMIZERS[config.optimizer](groups, config)
        self.activation = TORCH_ACTIVATIONS[config.activation]

    def logits(self, X):
        """Z_l = A_{l-1} W_l + b_l, A_l = f(Z_l), as core computes them (W stored (n_in, n_out))."""
        A = X
        for l in range(0, len(self.tensors), 2):
            Z = A @ self.tensors[l] + self.tensors[l + 1]
            A = self.activation(Z)
        return Z

    def forward_backward(self, Xb, yb):
        self.torch_optimizer.zero_grad()
        Z = self.logits(torch.from_numpy(Xb))
        y = torch.from_numpy(yb.astype(np.int64))
        loss = functional.cross_entropy(Z, y)  # mean over the batch, from the logits (log-softmax inside)
        loss.backward()
        return loss, int((Z.argmax(1) == y).sum())

    def _train_step(self, Xb, yb, lr: float) -> tuple:
        began = time.process_time()
        for group in self.torch_optimizer.param_groups:
            group["lr"] = lr  # the schedule's rate for this step, from core's loop
        loss, hits = self.forward_backward(Xb, yb)
        self.torch_optimizer.step()
        self.cpu += time.process_time() - began
        return loss.item() + self.network.l2_penalty(self.config.l2), hits

    def predict(self, X):
        with torch.no_grad():
            return self.logits(torch.from_numpy(X)).argmax(1).numpy()


def contenders(config, splits) -> dict:
    """Core, PyTorch on 1 thread, PyTorch on its default threads: one initial network, copied for each."""
    network = build_network(config, args.dtype)
    threads = torch.get_num_threads()
    return {"core (NumPy)": ClockedTrainer(config, splits, network.copy()),
            "PyTorch, 1 thread": TorchTrainer(config, splits, network.copy(), 1),
            f"PyTorch, {threads} threads": TorchTrainer(config, splits, network.copy(), threads)}


def max_difference(a, b) -> float:
    """max |Δ| over every weight and bias of two networks."""
    return max(float(np.max(np.abs(p - q))) for p, q in zip(a.params().values(), b.params().values()))


def train(runs: dict, epochs: int) -> dict:
    """Train all, alternating epochs; returns each one's (wall s, processor s) per epoch and the max |Δ| to core
    after the first step."""
    times, first_step, after_one_step = {name: [] for name in runs}, {}, []
    for epoch in range(epochs):
        for name, trainer in runs.items():
            torch.set_num_threads(trainer.threads)
            wall, cpu, steps = trainer.elapsed, trainer.cpu, trainer.run(1)
            if epoch == 0:
                next(steps)
                after_one_step.append(trainer.network.copy())  # core's comes first
                first_step[name] = max_difference(trainer.network, after_one_step[0])
            last = list(steps)[-1]
            times[name].append((trainer.elapsed - wall, trainer.cpu - cpu))
            print(f"epoch {epoch + 1}  {name:<20} {times[name][-1][0]:6.2f} s  train loss {last.train_loss:.4f}  "
                  f"validation {last.val_accuracy:.4f}", flush=True)
    return times, first_step


def time_forward_backward(runs: dict, Xb, yb, rounds: int = 5) -> dict:
    """Median milliseconds of one batch's forward + backward, the contenders taking turns in `rounds` rounds."""
    took = {name: [] for name in runs}
    for _ in range(rounds):
        for name, trainer in runs.items():
            torch.set_num_threads(trainer.threads)
            trainer.forward_backward(Xb, yb)  # warm up
            began = time.perf_counter()
            for _ in range(TIMED_BATCHES // rounds):
                trainer.forward_backward(Xb, yb)
            took[name].append((time.perf_counter() - began) / (TIMED_BATCHES // rounds) * 1000)
    return {name: statistics.median(ms) for name, ms in took.items()}


def supported_config():
    """The preset's settings, or a one-line message and exit for what this comparison does not cover."""
    try:
        config = preset_config(args.preset, epochs=args.epochs, train_size=args.train_size)
    except ValueError as error:
        sys.exit(str(error))
    if config.convs or config.dropout or config.output != "softmax" or config.optimizer not in TORCH_OPTIMIZERS:
        sys.exit(f"{args.preset}: this comparison covers dense networks with softmax output and no dropout")
    if (config.train_size is not None and config.train_size < 1) or config.epochs < 1:
        sys.exit("--train-size and --epochs must be at least 1")
    return config


def main():
    config = supported_config()
    splits = make_splits(config, *load_mnist("train"), args.dtype)
    test_images, y_test = load_mnist("test")
    X_test = to_inputs(test_images, args.dtype)
    load = os.getloadavg()
    runs = contenders(config, splits)
    times, first_step = train(runs, config.epochs)
    batch = slice(0, runs["core (NumPy)"].batch_size)
    batch_ms = time_forward_backward(runs, splits.X_train[batch], splits.y_train[batch])
    print(f"\n{args.preset}: {runs['core (NumPy)'].network.architecture} {config.activation}, {config.optimizer} "
          f"lr {config.learning_rate:g} {config.schedule}, batch {config.batch_size}, {config.epochs} epochs, "
          f"{len(splits.X_train):,} training images, {args.dtype}, seed {config.seed}; PyTorch {torch.__version__}")
    print(f"load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} cores)")
    report(runs, times, first_step, batch_ms, X_test, y_test)


def differences(trainer, core, first_step: float) -> list:
    """max |Δ| to core's weights after the first step and after the run ("-" for core itself)."""
    if trainer is core:
        return ["-", "-"]
    return [f"{first_step:.1e}", f"{max_difference(trainer.network, core.network):.1e}"]


def report(runs, times, first_step, batch_ms, X_test, y_test):
    core = runs["core (NumPy)"]
    core_predictions = core.network.predict(X_test)
    rows = {"test accuracy": [], "final train loss": [], "wall s / epoch": [], "processor s / epoch": [],
            "images / s": [], f"fwd+bwd of {core.batch_size} (ms)": [], "max |Δ| after step 1": [],
            "max |Δ| after the run": [], "test predictions as core's": []}
    for name, trainer in runs.items():
        predictions = trainer.predict(X_test) if isinstance(trainer, TorchTrainer) else core_predictions
        wall = statistics.median(t[0] for t in times[name])
        cells = [f"{np.mean(predictions == y_test):.4f}", f"{trainer.history[-1].train_loss:.4f}", f"{wall:.2f}",
                 f"{statistics.median(t[1] for t in times[name]):.2f}", f"{len(trainer.splits.X_train) / wall:,.0f}",
                 f"{batch_ms[name]:.2f}", *differences(trainer, core, first_step[name]),
                 f"{int(np.sum(predictions == core_predictions)):,} / {len(y_test):,}"]
        for row, cell in zip(rows.values(), cells):
            row.append(cell)
    print(f"\n{'':<28}" + "".join(f"{name:>22}" for name in runs))
    for label, cells in rows.items():
        print(f"{label:<28}" + "".join(f"{cell:>22}" for cell in cells))
    print("(max |Δ|: the largest difference of any weight or bias from core's; wall and processor time count the "
          "training steps only, median epoch)")


if __name__ == "__main__":
    main()
