"""What a training job tells the pages: where it is (Status) and a consistent copy of its progress (Snapshot)."""
from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Where a job is: waiting for a slot, training, paused, or ended (stopped, done, diverged, failed)."""
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    DONE = "done"
    DIVERGED = "diverged"    # the loss blew up; the message says which learning rate to try
    FAILED = "failed"        # the process raised, or ended without a word


@dataclass
class Snapshot:
    """A consistent copy of a job's progress, for drawing."""
    status: Status
    message: str
    step_epochs: list
    step_losses: list
    epochs: list
    latest: object
    planned_epochs: int
    learning_rate: float
    test_accuracy: float | None
    finished_runs: int = 0
    train_images: int = 0
    network: object = field(default=None, repr=False)  # the latest copy the training process sent, for live pictures
    layer_stats: list = field(default_factory=list, repr=False)  # core.nn.layer_stats.LayerStats of a few steps per epoch
    stat_layers: list = field(default_factory=list)  # the names of their layers: W1, ... (K1, ... for convolutions)
