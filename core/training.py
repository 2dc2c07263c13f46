"""The training loop: shuffle, take a batch, backpropagate, step; report progress as events.

`Trainer.run(epochs)` is a generator. Stop by no longer iterating (between steps); resume by calling
`run(1)` again; change `trainer.config.learning_rate` between steps. Same seed, same result.

The command line that runs it: core/train.py (python -m core.train --preset fast --out weights/fast.npz).
"""
import math
import time
from dataclasses import asdict, dataclass, replace

import numpy as np

from core.data import to_inputs, train_val_split
from core.nn.cnn import ConvNet
from core.nn.layer_stats import LayerStats, measure, stats_record, thinned, weight_names
from core.nn.losses import OUTPUTS
from core.nn.network import Classifier, Network
from core.nn.optim import OPTIMIZERS, scheduled_lr
from core.perturb import augment_rows
from core.presets import TrainConfig


class TrainingDiverged(ArithmeticError):
    """The loss became NaN or infinite; the message explains why and what to change."""


@dataclass
class Progress:
    """One report from the loop: after every step (kind 'step') and after every epoch (kind 'epoch')."""
    kind: str
    step: int
    epoch: float            # epochs done, fractional during an epoch
    batch_loss: float
    learning_rate: float
    images_per_sec: float
    elapsed: float          # seconds spent training (pauses excluded)
    train_loss: float = math.nan   # epoch means over its batches
    train_accuracy: float = math.nan
    val_loss: float = math.nan
    val_accuracy: float = math.nan


@dataclass
class Splits:
    """Training and validation inputs X (N, 784), or (N, 2) for points of a plane, and labels y (N,)."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray

    @classmethod
    def from_images(cls, train_images, train_labels, val_images, val_labels, dtype=np.float32) -> "Splits":
        return cls(to_inputs(train_images, dtype), train_labels, to_inputs(val_images, dtype), val_labels)


def split_images(config: TrainConfig, images, labels) -> tuple:
    """Hold out `val_size` seeded images for validation and keep `train_size` (all if None) for training.

    Returns the images as stored (uint8): train_images, train_labels, val_images, val_labels.
    """
    train_idx, val_idx = train_val_split(len(images), config.val_size, config.seed)
    if config.train_size is not None:
        train_idx = train_idx[:config.train_size]
    return images[train_idx], labels[train_idx], images[val_idx], labels[val_idx]


def make_splits(config: TrainConfig, images, labels, dtype=np.float32) -> Splits:
    """The training and validation inputs of `config` (see split_images)."""
    return Splits.from_images(*split_images(config, images, labels), dtype)


def build_network(config: TrainConfig, dtype=np.float32):
    """A new Network, or a ConvNet when the settings name convolution blocks."""
    if config.convs:
        return ConvNet.create(config.convs, config.hidden, config.activation, config.output, config.init,
                              config.seed, dtype)
    return Network.create(config.hidden, config.activation, config.output, config.init, config.seed, dtype)


BLOW_UP = 10  # a loss above 10x its first value means the steps overshoot
STATS_PER_EPOCH = 10     # steps of each epoch whose layer statistics are recorded (every step of short epochs)
MAX_STATS_POINTS = 400   # beyond this many, every other recorded point is dropped and half as many recorded


def divergence_message(step: int, lr: float, first_loss: float, loss: float) -> str:
    what = "became NaN or infinite" if not math.isfinite(loss) else f"shot up from {first_loss:.2f} to {loss:.2f}"
    return (f"Training stopped at step {step}: the loss {what}. With a learning rate of {lr:g} each step "
            f"overshoots the minimum, so the weights grow instead of settling. "
            f"Lower the learning rate (try {lr / 10:g}) and start again.")


class Trainer:
    """Owns a network, its optimiser state and a random generator, so training can stop and go on."""

    def __init__(self, config: TrainConfig, splits: Splits, network: Classifier | None = None):
        if config.batch_size is not None and config.batch_size < 1:
            raise ValueError("the batch size must be at least 1")
        if len(splits.X_train) == 0:
            raise ValueError("the training set is empty")
        self.config, self.splits = config, splits
        self.network = network or build_network(config, splits.X_train.dtype)
        self.optimizer = OPTIMIZERS[config.optimizer](config.momentum)
        self.rng = np.random.default_rng([config.seed, 1])  # shuffling, augmentation, dropout: apart from the init
        self.step, self.epochs_done, self.elapsed = 0, 0, 0.0
        self.first_loss = None
        self.history = []  # the Progress of every finished epoch, recorded in the model file
        self.layer_stats = []  # LayerStats of a few steps per epoch (core.nn.layer_stats), recorded in the model file
        self.stats_per_epoch = STATS_PER_EPOCH  # 0 records none (estimate_seconds times plain steps)
        self._stats_stride, self._measured = 1, None

    @property
    def batch_size(self) -> int:
        n = len(self.splits.X_train)
        return n if self.config.batch_size is None else min(self.config.batch_size, n)

    def run(self, epochs: int | None = None):
        """Train for `epochs` more epochs (default: the config's), yielding a Progress after each step and epoch."""
        for _ in range(self.config.epochs if epochs is None else epochs):
            for event in self._epoch():
                if self._measured is not None and event.kind == "step":
                    self._keep_stats(event)
                yield event

    def _stats_due(self) -> bool:
        """Whether the step about to be taken is one whose layer statistics are recorded (the first of each group)."""
        steps_per_epoch = math.ceil(len(self.splits.X_train) / self.batch_size)
        every = max(1, steps_per_epoch // max(self.stats_per_epoch, 1)) * self._stats_stride
        return self.stats_per_epoch > 0 and self.step % every == 0

    def _keep_stats(self, event: Progress):
        """Record the statistics measured in the step `event` reports, at its epoch; thin them when too many."""
        self.layer_stats.append(LayerStats(event.step, event.epoch, **self._measured))
        self._measured = None
        if len(self.layer_stats) > MAX_STATS_POINTS:
            self.layer_stats = thinned(self.layer_stats, MAX_STATS_POINTS)
            self._stats_stride *= 2

    def _epoch(self):
        c, X, y = self.config, self.splits.X_train, self.splits.y_train
        order = self.rng.permutation(len(X))
        starts = range(0, len(X), self.batch_size)
        loss_sum = correct = epoch_time = 0.0
        for i, start in enumerate(starts):
            began = time.perf_counter()
            idx = order[start:start + self.batch_size]
            lr = scheduled_lr(c.learning_rate, c.schedule, self.epochs_done + i / len(starts), c.epochs, c.step_every)
            Xb = augment_rows(X[idx], self.rng) if c.augment else X[idx]  # (B, 784), spoilt anew each time
            loss, hits = self._train_step(Xb, y[idx], lr)
            self.step += 1
            loss_sum += loss * len(idx)
            correct += hits
            took = time.perf_counter() - began
            self.elapsed += took
            epoch_time += took
            yield Progress("step", self.step, self.epochs_done + (i + 1) / len(starts), loss, lr,
                           len(idx) / max(took, 1e-9), self.elapsed)
        self.epochs_done += 1
        net, out = self.network, OUTPUTS[self.network.output]
        val_loss = val_acc = math.nan
        if len(self.splits.X_val):
            P = net.predict_proba(self.splits.X_val)
            val_loss, val_acc = out.loss(P, self.splits.y_val), float(np.mean(P.argmax(1) == self.splits.y_val))
        self.history.append(Progress("epoch", self.step, float(self.epochs_done), loss, lr,
                                     len(X) / max(epoch_time, 1e-9), self.elapsed, loss_sum / len(X),
                                     correct / len(X), val_loss, val_acc))
        yield self.history[-1]

    def _train_step(self, Xb, yb, lr: float) -> tuple:
        """One gradient step on a batch; returns its loss and how many of it were classified right."""
        c, net = self.config, self.network
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below as divergence
            fwd = net.forward(Xb, c.dropout, self.rng)
            out = OUTPUTS[net.output]
            loss = net.objective(fwd.P, yb, c.l2)
        if not np.isfinite(fwd.P).all():
            loss = math.nan
        self.first_loss = self.first_loss or loss
        if not math.isfinite(loss) or loss > BLOW_UP * self.first_loss:
            raise TrainingDiverged(divergence_message(self.step + 1, lr, self.first_loss, loss))
        grads = net.backward(fwd, out.delta(fwd.P, yb), c.l2)
        before = [W.copy() for W in net.weight_arrays()] if self._stats_due() else None
        self.optimizer.step(net.params(), grads, lr)
        if before is not None:
            self._measured = measure(net, fwd, grads, before)
        return loss, int(np.sum(fwd.P.argmax(1) == yb))


def estimate_seconds(config: TrainConfig, train_images: int, timed_images: int = 2560, budget: float = 0.1,
                     clock=time.thread_time) -> float:
    """Seconds of one core's work `config` needs: a few timed steps on random data, scaled to all the steps.

    Timed in processor time of this thread, not on the wall clock: the wall clock counts every moment other
    programs (or other sessions' threads) held the core, so three measurements of one preset on a busy server
    read 22, 26 and 48 s; processor time stays within a few per cent. How much longer the wall clock takes
    depends on how busy the machine is while it trains (see ui.training.load_factor). `clock=time.perf_counter`
    gives the wall-clock estimate, for comparison (benchmarks/estimate_accuracy.py --steadiness).

    The first step is not timed (it pays one-off costs). Then steps are timed until `timed_images` images or
    `budget` seconds, at least 5 steps (five 10-image steps gave up to twice the real time). Steps of more than
    512 images are timed on 512 and scaled by batch size (the cost is linear in it). Each epoch's validation, a
    forward pass only, costs about a third of training on as many images.
    """
    batch = train_images if config.batch_size is None else min(config.batch_size, train_images)
    timed = min(batch, 512)
    most = max(5, timed_images // timed)
    rng = np.random.default_rng(0)
    n = timed * (most + 1)
    splits = Splits(rng.random((n, 784), np.float32), rng.integers(0, 10, n), np.empty((0, 784), np.float32),
                    np.empty(0, int))
    trainer = Trainer(replace(config, batch_size=timed, epochs=1, learning_rate=1e-6), splits)
    trainer.stats_per_epoch = 0  # a real epoch measures ~10 of its steps; these few would all be measured
    steps = trainer.run(1)
    next(steps)
    began, clock_began, done = time.perf_counter(), clock(), 0
    for _ in steps:
        done += 1
        if done == most or (done >= 5 and time.perf_counter() - began > budget):
            break
    per_image = (clock() - clock_began) / (timed * done)
    return per_image * (train_images + config.val_size / 3) * config.epochs


HISTORY = ("epoch", "elapsed", "train_loss", "train_accuracy", "val_loss", "val_accuracy")  # recorded per epoch


def history_record(epochs: list) -> dict:
    """The training curve as JSON-ready columns {field: one value per epoch}, NaN (no validation) as None."""
    return {field: [round(v, 5) if math.isfinite(v := getattr(e, field)) else None for e in epochs]
            for field in HISTORY}


def train_metadata(config: TrainConfig, preset: str | None, test_accuracy: float, trainer: Trainer) -> dict:
    """What a model file records about how it was made, its training curve included."""
    return {"dataset": config.dataset, "preset": preset, "config": asdict(config), "epochs_trained": trainer.epochs_done,
            "steps": trainer.step, "train_seconds": round(trainer.elapsed, 2), "test_accuracy": test_accuracy,
            "history": history_record(trainer.history),
            "layer_stats": stats_record(trainer.layer_stats, weight_names(trainer.network))}
