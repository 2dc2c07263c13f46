"""Training in a process of its own, so the web server that starts it never waits for it.

A training is NumPy calls with Python in between. In a thread of the web server it would hold Python's
global lock (the GIL) between those calls, and every page of every user would wait its turn; in a child
process, at a lower priority, it competes for nothing but a core, and the server's share comes first.

`start(...)` runs `python -m core.worker` (a fresh interpreter: nothing of the web server's threads, locks
or imports comes along) and returns it with the parent's end of a socket pair; `tell` sends it a command and
`ended` waits for it to end. Over it, pickled tuples
whose first item is a Command (parent -> child) or a Report (child -> parent):

    parent -> child   (config, split, test, trainer, epochs)   once, first: what to train
                      (LEARNING_RATE, lr)  (PAUSE,)  (RESUME,)  (STOP,)
    child -> parent   (INITIAL, network)              the untrained network, once (not when going on)
                      (PROGRESS, [Progress, ...], [LayerStats, ...])   every REPORT_EVERY s and at the end of
                                                      every epoch: the steps since the last report, and the layer
                                                      statistics recorded meanwhile (core.nn.layer_stats)
                      (NETWORK, network)              a copy every NETWORK_EVERY s, for live pictures
                      (PAUSED,)                       after the step under way, every report before it sent
                      (FINISHED, stopped, test_accuracy, trainer)   the trainer without its data, to go on later
                      (DIVERGED, message)  (FAILED, message)
"""
import os
import socket
import subprocess
import sys
import time
from enum import StrEnum
from multiprocessing.connection import Connection
from pathlib import Path

from core.data import to_inputs
from core.training import Splits, Trainer, TrainingDiverged

REPORT_EVERY = 0.1   # seconds between progress reports (the page redraws once a second)
NETWORK_EVERY = 0.5  # seconds between copies of the network for the live pictures
NICENESS = 10        # a training yields its core to the web server whenever both want it
ROOT = Path(__file__).resolve().parent.parent


class Command(StrEnum):
    """What the server tells a training process."""
    LEARNING_RATE = "learning_rate"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class Report(StrEnum):
    """What a training process tells the server."""
    INITIAL = "initial"
    PROGRESS = "progress"
    NETWORK = "network"
    PAUSED = "paused"
    FINISHED = "finished"
    DIVERGED = "diverged"
    FAILED = "failed"


def start(config, split: tuple, test: tuple, trainer: Trainer | None, epochs: int):
    """Train `epochs` epochs in a child process: a new network, or `trainer` (without its data) further.

    `split` is (train_images, train_labels, val_images, val_labels) and `test` (test_images, test_labels), uint8.
    Returns (process, connection).
    """
    ours, theirs = socket.socketpair()
    with theirs:
        process = subprocess.Popen([sys.executable, "-m", "core.worker", str(theirs.fileno())], cwd=ROOT,
                                   pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
    conn = Connection(ours.detach())
    conn.send((config, split, test, trainer, epochs))
    return process, conn


def ended(process: subprocess.Popen) -> int:
    """Wait a moment for a training process to end (it ends by itself after its last report), else end it."""
    try:
        return process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def tell(conn, *command):
    """Send a command to a training process; one that has just ended is not listening (its last report is)."""
    try:
        conn.send(command)
    except OSError:
        pass


def train(conn, config, split: tuple, test: tuple, trainer: Trainer | None, epochs: int):
    """The child's work: train, reporting and obeying, and end with the trainer or with why it could not."""
    os.nice(NICENESS)
    try:
        conn.send(outcome(conn, config, split, test, trainer, epochs))
    except OSError:
        pass  # the parent has gone (the server stopped): nobody is left to tell


def outcome(conn, config, split: tuple, test: tuple, trainer: Trainer | None, epochs: int) -> tuple:
    try:
        splits = Splits.from_images(*split)
        if trainer is None:
            trainer = Trainer(config, splits)
            conn.send((Report.INITIAL, trainer.network))
        else:
            trainer.config, trainer.splits = config, splits
        stopped = run(conn, trainer, epochs)
        accuracy = trainer.network.accuracy(to_inputs(test[0]), test[1])
        trainer.splits = None  # the parent has the images
        return Report.FINISHED, stopped, accuracy, trainer
    except TrainingDiverged as err:
        return Report.DIVERGED, str(err)
    except Exception as err:  # noqa: BLE001 - any failure must reach the learner as a message
        return Report.FAILED, f"Training failed: {type(err).__name__}: {err}"


def run(conn, trainer: Trainer, epochs: int) -> bool:
    """Train, sending reports and obeying commands between steps; True if told to stop."""
    pending, reported, pictured = [], time.monotonic(), time.monotonic()
    stats_sent = trainer.layer_stats[-1].step if trainer.layer_stats else 0

    def report():
        nonlocal pending, reported, stats_sent
        if pending:
            stats = [point for point in trainer.layer_stats if point.step > stats_sent]
            stats_sent = stats[-1].step if stats else stats_sent
            conn.send((Report.PROGRESS, pending, stats))
        pending, reported = [], time.monotonic()

    for event in trainer.run(epochs):
        pending.append(event)
        if event.kind == "epoch" or time.monotonic() - reported > REPORT_EVERY:
            report()
        if time.monotonic() - pictured > NETWORK_EVERY:
            conn.send((Report.NETWORK, trainer.network))
            pictured = time.monotonic()
        if obey(conn, trainer, report):
            report()
            return True
    report()
    return False


def obey(conn, trainer: Trainer, report) -> bool:
    """Carry out the parent's commands; while paused, wait for the next. True if told to stop."""
    paused = False
    while paused or conn.poll():
        command, *args = conn.recv()
        if command == Command.LEARNING_RATE:
            trainer.config.learning_rate = args[0]
        elif command == Command.PAUSE:
            report()
            conn.send((Report.PAUSED,))
            paused = True
        elif command == Command.RESUME:
            paused = False
        elif command == Command.STOP:
            return True
    return False


def main(argv=None):
    """The child process: `python -m core.worker FD`, FD its end of the socket pair."""
    fd = int((argv or sys.argv[1:])[0])
    with Connection(fd) as conn:
        try:
            work = conn.recv()
        except EOFError:
            return
        train(conn, *work)


if __name__ == "__main__":
    from core.worker import main as child  # run as core.worker, so what it pickles names core.worker, not __main__
    child()
