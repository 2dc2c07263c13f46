"""A training as a job: it runs in a process of its own (core.worker), watched by a thread of the server.

The thread passes the learner's commands on (core.worker.Command), writes the process's reports
(core.worker.Report) into its own lock-protected job, and never calls Streamlit: pages only read a job's
Snapshot. Slots shared by the server's jobs (jobs.slots: per process, or machine-wide) cap how many trainings
run at once; the excess waits in a queue. A job whose browser session has gone stops by itself.
"""
import math
import threading
import time

from core import worker
from core.presets import TrainConfig
from core.nn.layer_stats import thinned, weight_names
from core.training import MAX_STATS_POINTS, Trainer, split_images
from core.worker import Command, Report, ended, tell
from jobs.slots import MachineSlots, ServerSlots
from jobs.state import Snapshot, Status

DISCONNECT_GRACE = 10.0  # seconds a session may be disconnected (a network blip) before its training stops
IDLE_TIMEOUT = 180.0    # fallback: seconds without a heartbeat (browsers slow the timers of hidden tabs)
MAX_CURVE_POINTS = 1500  # batch-loss points kept for the chart; older ones are thinned
PAUSED = "Paused. Resume to go on from this step."


class TrainingJob:
    """One session's training: start, pause, resume, stop, one more epoch, change the learning rate."""

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.PAUSED)

    def __init__(self, config: TrainConfig, train: tuple, test: tuple, slots: ServerSlots | MachineSlots,
                 connected=lambda: True):
        """`train` and `test` are (images, labels), uint8 and shared (never changed); `connected()` says
        whether the learner's browser session is still there (thread-safe)."""
        self.config, self._train, self._test, self._slots = config, train, test, slots
        self._connected, self._gone_since = connected, None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._unpaused = threading.Event()
        self._unpaused.set()
        self.status, self.message = Status.QUEUED, "Waiting for a free training slot…"
        self.trainer: Trainer | None = None  # after a run: the trainer (without its data), to go on from
        self.initial = None
        self.train_images = 0
        self.test_accuracy = None
        self.finished_runs = 0  # how many times a run (the first, or +1 epoch) has completed
        self.registered_runs = 0  # how many of those the page has made into models
        self.model_file = (0, b"")  # (finished run, its .npz bytes) for the download button
        self.name = "Training"
        self.upload = None  # what it learns from when not a shipped dataset: core.owndata.OwnData.record()
        self._step_epochs, self._step_losses, self._epochs, self._latest = [], [], [], None
        self._stride = 1
        self._layer_stats = []  # core.nn.layer_stats.LayerStats, as the training process records them
        self._network = None  # the latest copy the training process sent
        self._holding = False  # whether this job holds a training slot
        self.process = None  # the training process of the run under way
        self.heartbeat = time.monotonic()
        self._thread = None
        self._launch(config.epochs)

    # --- controls, called from the page -------------------------------------------------
    def stop(self):
        self._stop.set()
        self._unpaused.set()

    def pause(self):
        """Pause after the step under way (a step takes milliseconds), leaving the training slot to others."""
        if self.status in (Status.QUEUED, Status.RUNNING):
            self._unpaused.clear()
            self._set(Status.PAUSED, PAUSED)

    def resume(self):
        self._unpaused.set()

    def more_epochs(self, epochs: int = 1) -> bool:
        """Train further from where the last run ended (the learner's '+1 epoch')."""
        if self.active or self.trainer is None or self.status == Status.DIVERGED:
            return False
        self.config.epochs += epochs  # the schedule now plans for the longer run
        self._stop.clear()
        self._launch(epochs)
        return True

    def set_learning_rate(self, lr: float):
        self.config.learning_rate = lr  # the watching thread passes it on before the next step

    def touch(self):
        """Heartbeat: a tab of this session is still open."""
        self.heartbeat = time.monotonic()

    @property
    def active(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float = 30.0):
        if self._thread:
            self._thread.join(timeout)

    def snapshot(self, with_weights: bool = False) -> Snapshot:
        with self._lock:
            return Snapshot(self.status, self.message, list(self._step_epochs), list(self._step_losses),
                            list(self._epochs), self._latest, self.config.epochs, self.config.learning_rate,
                            self.test_accuracy, self.finished_runs, self.train_images,
                            self._network if with_weights else None, list(self._layer_stats),
                            weight_names(self._network) if self._network is not None else [])

    # --- the watching thread ------------------------------------------------------------
    def _launch(self, epochs: int):
        self._thread = threading.Thread(target=self._run, args=(epochs,), daemon=True, name="training")
        self._thread.start()

    def _abandoned(self) -> str:
        """Why nobody is watching any more ('' while somebody is)."""
        now = time.monotonic()
        if self._connected():
            self._gone_since = None
        elif self._gone_since is None:
            self._gone_since = now
        if self._gone_since is not None and now - self._gone_since > DISCONNECT_GRACE:
            return "Stopped: the browser tab of this session was closed."
        if now - self.heartbeat > IDLE_TIMEOUT:
            return f"Stopped: no sign of this session's tab for {IDLE_TIMEOUT:.0f} s."
        return ""

    def _quit(self) -> bool:
        reason = self._abandoned()
        if reason:
            self._set(Status.STOPPED, reason)
            return True
        return self._stop.is_set()

    def _set(self, status: "Status", message: str = ""):
        with self._lock:
            self.status, self.message = status, message

    def _acquire(self) -> bool:
        """Wait for a training slot, saying why; False if the learner stopped or left meanwhile."""
        while not self._slots.acquire(timeout=0.25):
            self._set(Status.QUEUED, f"Waiting: {self._slots.count} trainings are already running {self._slots.place}, "
                                "which keeps the app quick for everyone. Yours starts as soon as one ends.")
            if self._quit():
                return False
        self._holding = True
        return True

    def _release(self):
        if self._holding:
            self._slots.release()
            self._holding = False

    def _run(self, epochs: int):
        if not self._acquire():
            self._set(Status.STOPPED, self._abandoned() or "Stopped before it started.")
            return
        try:
            self._set(Status.RUNNING, "Preparing the data…")
            split = split_images(self.config, *self._train)
            self.train_images = len(split[0])
            self.process, conn = worker.start(self.config, split, self._test, self.trainer, epochs)
            del split  # the process has its copy
            with conn:
                self._watch(conn)
        except EOFError:  # the process ended without a word: killed, or out of memory
            self._set(Status.FAILED, f"Training failed: its process ended unexpectedly (exit code {ended(self.process)}). "
                                "Start again, with fewer images or a smaller network if it happens again.")
        except Exception as err:  # noqa: BLE001 - any failure must reach the learner as a message
            self._set(Status.FAILED, f"Training failed: {type(err).__name__}: {err}")
        finally:
            self._release()
            if self.process is not None:
                ended(self.process)

    def _watch(self, conn):
        """Pass the learner's commands to the training process and its reports into this job, until it ends."""
        sent_lr, stop_sent, pause_sent = self.config.learning_rate, False, False
        while True:
            if conn.poll(0.1):
                kind, *report = conn.recv()
                if kind == Report.PROGRESS:
                    self._record(report[0])
                    self._record_layer_stats(report[1])
                elif kind in (Report.INITIAL, Report.NETWORK):
                    with self._lock:
                        self._network = report[0]
                        if kind == Report.INITIAL:
                            self.initial = report[0]
                elif kind == Report.PAUSED and not stop_sent:
                    stop_sent, pause_sent = not self._wait_while_paused(), False
                    tell(conn, Command.STOP if stop_sent else Command.RESUME)
                elif kind == Report.FINISHED:
                    self._finish(*report)
                    return
                elif kind in (Report.DIVERGED, Report.FAILED):
                    self._set(Status(kind), report[0])
                    return
            if stop_sent:
                continue
            if self._quit():
                tell(conn, Command.STOP)
                stop_sent = True
            elif not pause_sent and not self._unpaused.is_set():
                tell(conn, Command.PAUSE)
                pause_sent = True
            if self.config.learning_rate != sent_lr:
                sent_lr = self.config.learning_rate
                tell(conn, Command.LEARNING_RATE, sent_lr)

    def _wait_while_paused(self) -> bool:
        """The process has paused: leave the slot to others till resumed; False if stopped meanwhile."""
        self._release()
        self._set(Status.PAUSED, PAUSED)
        while not self._unpaused.wait(0.25):
            if self._quit():
                return False
        if self._quit() or not self._acquire():
            return False
        self._set(Status.RUNNING)
        return True

    def _finish(self, stopped: bool, test_accuracy: float, trainer: Trainer):
        with self._lock:
            self.trainer, self._network = trainer, trainer.network
            self.test_accuracy = test_accuracy
            self.finished_runs += 1
            if stopped:
                self.status = Status.STOPPED
                self.message = self.message or "Stopped. The model as it was at that step is yours to use."
            else:
                self.status, self.message = Status.DONE, ""

    def _record_layer_stats(self, points: list):
        with self._lock:
            self._layer_stats = thinned(self._layer_stats + points, MAX_STATS_POINTS)

    def _record(self, events: list):
        with self._lock:
            if self.status == Status.RUNNING:
                self.message = ""  # no longer preparing
            for event in events:
                self._latest = event
                if event.kind == "epoch":
                    self._epochs.append(event)
                elif event.step % self._stride == 0 and math.isfinite(event.batch_loss):
                    self._step_epochs.append(event.epoch)
                    self._step_losses.append(event.batch_loss)
                    if len(self._step_losses) > MAX_CURVE_POINTS:  # keep every other point, sample half as often
                        self._step_epochs, self._step_losses = self._step_epochs[::2], self._step_losses[::2]
                        self._stride *= 2
