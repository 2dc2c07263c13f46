"""Training slots: how many trainings may run at once, in one server process or across a whole machine.

A job takes a slot with `acquire(timeout=...)` (True when it got one) and gives it back with `release()`;
`count` and `place` say in words what the limit is, for the message of a job that waits.
"""
import fcntl
import os
import threading
import time
from pathlib import Path

MAX_CONCURRENT = 2  # trainings running at once in one server process on its own: one per core of a small machine
SLOTS_DIR_ENV = "NN_TRAINING_SLOTS_DIR"  # names a directory: the server processes that share it share the cores
POLL = 0.05  # seconds between two looks for a free machine-wide slot


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ServerSlots(threading.BoundedSemaphore):
    """At most `count` trainings at once among the jobs of this server process."""
    place = "on this server"

    def __init__(self, count: int):
        super().__init__(count)
        self.count = count


class MachineSlots:
    """At most `count` trainings at once among all the processes that use `directory`, on one machine.

    Slot i is an exclusive `flock` on the file `directory/slot-i`. The operating system drops a process's
    locks when the process ends, however it ends (a crash, SIGKILL, out of memory): a dead server's slots come
    back by themselves. The lock belongs to the open file, so threads of one process compete like processes do.
    """
    place = "on this machine"

    def __init__(self, directory: str | Path, count: int):
        Path(directory).mkdir(parents=True, exist_ok=True)
        self.count = count
        self._paths = [Path(directory) / f"slot-{i}" for i in range(count)]
        self._held = []  # the open files of the slots this object holds
        self._lock = threading.Lock()

    def _try_one(self) -> bool:
        for path in self._paths:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # not inherited by the training processes
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            with self._lock:
                self._held.append(fd)
            return True
        return False

    def acquire(self, timeout: float | None = None) -> bool:
        """Take a free slot, waiting at most `timeout` seconds (for ever if None); False if none freed in time."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._try_one():
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(POLL)
        return True

    def release(self):
        with self._lock:
            if not self._held:
                raise ValueError("released more slots than were acquired")
            fd = self._held.pop()
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def training_slots() -> ServerSlots | MachineSlots:
    """Machine-wide slots, one per core, when SLOTS_DIR_ENV names a directory (`python -m deploy` sets it for the
    processes it starts); otherwise this process's own MAX_CONCURRENT."""
    directory = os.environ.get(SLOTS_DIR_ENV)
    return MachineSlots(directory, cores()) if directory else ServerSlots(MAX_CONCURRENT)
