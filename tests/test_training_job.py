"""The background training job: the cap on concurrent trainings, pause, stop, idle timeout, failures."""
import os
import signal
import socket
import threading
import time

from multiprocessing.connection import Connection

import numpy as np
import pytest

import jobs.training as training
from core import worker
from core.data import load_mnist
from core.presets import TrainConfig
from core.training import Trainer, make_splits
from jobs.slots import MachineSlots, ServerSlots
from jobs.training import TrainingJob


LONG = 100_000  # epochs: a training that only ends when told (50 epochs of 2,000 images can end within a second)


def config(**changes):
    return TrainConfig(**{"hidden": (16,), "epochs": 2, "learning_rate": 1e-2, "train_size": 2000, "val_size": 500,
                          **changes})


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def job_of(mnist_train):
    test = load_mnist("test")
    jobs = []

    def make(slots, connected=lambda: True, **changes):
        jobs.append(TrainingJob(config(**changes), mnist_train, test, slots, connected))
        return jobs[-1]
    yield make
    for job in jobs:
        job.stop()
        job.wait()


def test_a_job_trains_to_the_end_in_its_own_process_and_measures_test_accuracy(job_of):
    job = job_of(ServerSlots(1))
    wait_for(lambda: job.snapshot(with_weights=True).network is not None)
    assert job.process.pid != os.getpid()
    job.wait()
    snap = job.snapshot(with_weights=True)
    assert snap.status == "done" and snap.finished_runs == 1 and job.train_images == 2000
    assert len(snap.epochs) == 2 and snap.latest.epoch == 2.0 and 0.75 < snap.test_accuracy < 1
    assert snap.network.weights[0].shape == (784, 16)
    assert not np.array_equal(snap.network.weights[0], job.initial.weights[0])  # trained, and the start kept
    assert job.trainer.epochs_done == 2 and job.trainer.splits is None  # the images stayed here
    assert job.process.returncode == 0


@pytest.mark.parametrize("machine_wide", [False, True])
def test_the_cap_queues_a_second_training_with_a_reason_until_a_slot_frees(job_of, machine_wide, tmp_path):
    slots = MachineSlots(tmp_path, 1) if machine_wide else ServerSlots(1)
    first = job_of(slots, epochs=LONG)
    wait_for(lambda: first.snapshot().latest is not None)
    second = job_of(slots)
    wait_for(lambda: f"1 trainings are already running {slots.place}" in second.snapshot().message)
    assert second.snapshot().status == "queued" and second.snapshot().latest is None
    first.stop()
    second.wait()
    assert second.snapshot().status == "done"


def test_pause_gives_the_slot_to_others_and_resume_goes_on(job_of):
    slots = ServerSlots(1)
    job = job_of(slots, epochs=LONG)
    wait_for(lambda: job.snapshot().latest is not None)
    job.pause()
    assert job.snapshot().status == "paused"  # said at once; the step under way finishes first
    assert slots.acquire(timeout=1)  # the paused training left its slot
    slots.release()
    step = job.snapshot().latest.step  # the process reported every step before it said "paused"
    job.resume()
    wait_for(lambda: job.snapshot().latest.step > step)
    job.stop()
    job.wait()
    assert job.snapshot().status == "stopped" and job.snapshot().test_accuracy is not None


def test_a_paused_training_process_takes_no_step_until_told(mnist_train):
    """The worker's side, in this process: told to pause, it finishes the step under way and then waits."""
    trainer = Trainer(config(epochs=1), make_splits(config(), *mnist_train))
    ours, theirs = (Connection(s.detach()) for s in socket.socketpair())
    ours.send(("pause",))  # waiting before the first step: obeyed right after it
    result = []
    thread = threading.Thread(target=lambda: result.append(worker.run(theirs, trainer, 1)), daemon=True)
    thread.start()
    messages = [ours.recv()]
    while messages[-1] != ("paused",):
        messages.append(ours.recv())
    assert [m[0] for m in messages] == ["progress", "paused"] and messages[0][1][-1].step == 1
    assert trainer.step == 1 and thread.is_alive()  # blocked on the connection, between steps 1 and 2
    ours.send(("stop",))  # obeyed while paused: no step in between
    thread.join(30)
    assert result == [True] and trainer.step == 1


def test_stop_twice_and_one_more_epoch_after_stopping(job_of):
    job = job_of(ServerSlots(1), epochs=LONG)
    wait_for(lambda: job.snapshot().latest is not None)
    job.stop()
    job.stop()
    job.wait()
    assert job.snapshot().status == "stopped"
    epochs_done = job.trainer.epochs_done
    assert job.more_epochs(1)
    job.wait()
    assert job.snapshot().status == "done" and job.trainer.epochs_done == epochs_done + 1
    assert job.snapshot().finished_runs == 2


def test_a_closed_tab_stops_the_training_after_a_short_grace(job_of, monkeypatch):
    monkeypatch.setattr(training, "DISCONNECT_GRACE", 0.3)
    slots = ServerSlots(1)
    tab_open = threading.Event()
    tab_open.set()
    job = job_of(slots, connected=tab_open.is_set, epochs=50, train_size=50000)
    wait_for(lambda: job.snapshot().latest is not None)
    tab_open.clear()  # the learner closed the tab
    job.wait(10)
    assert not job.active and job.snapshot().status == "stopped"
    assert "tab of this session was closed" in job.snapshot().message
    assert slots.acquire(timeout=1)  # its slot is free again


def test_a_silent_tab_stops_the_training_after_the_idle_timeout(job_of, monkeypatch):
    monkeypatch.setattr(training, "IDLE_TIMEOUT", 0.3)
    job = job_of(ServerSlots(1), epochs=50, train_size=50000)
    job.wait(10)  # connected, but nobody calls job.touch()
    assert not job.active and "no sign of this session's tab" in job.snapshot().message


def test_a_queued_training_of_a_closed_tab_never_starts(job_of, monkeypatch):
    monkeypatch.setattr(training, "DISCONNECT_GRACE", 0.2)
    slots = ServerSlots(1)
    first = job_of(slots, epochs=50, train_size=50000)
    wait_for(lambda: first.snapshot().latest is not None)
    queued = job_of(slots, connected=lambda: False)
    queued.wait(10)
    assert queued.snapshot().status == "stopped" and queued.snapshot().latest is None


def test_a_diverging_run_a_failing_run_and_a_killed_process_report_and_free_their_slot(job_of):
    slots = ServerSlots(1)
    diverged = job_of(slots, optimizer="sgd", learning_rate=1e4)
    diverged.wait()
    assert diverged.snapshot().status == "diverged" and "Lower the learning rate" in diverged.snapshot().message
    assert not diverged.more_epochs(1)

    failed = job_of(slots, batch_size=0)  # raises inside the training process
    failed.wait()
    assert failed.snapshot().status == "failed"
    assert failed.snapshot().message == "Training failed: ValueError: the batch size must be at least 1"

    killed = job_of(slots, epochs=50, train_size=50000)
    wait_for(lambda: killed.snapshot().latest is not None)
    os.kill(killed.process.pid, signal.SIGKILL)  # as the system does when memory runs out
    killed.wait()
    assert killed.snapshot().status == "failed"
    assert "its process ended unexpectedly (exit code -9)" in killed.snapshot().message
    assert slots.acquire(timeout=1)


def test_the_learning_rate_changes_while_it_trains(job_of):
    job = job_of(ServerSlots(1), epochs=50, optimizer="sgd", learning_rate=0.1)
    wait_for(lambda: job.snapshot().latest is not None)
    job.set_learning_rate(0.01)
    wait_for(lambda: job.snapshot().latest.learning_rate == 0.01)


def test_the_layer_statistics_reach_the_snapshot_each_once_and_one_more_epoch_adds_its_own(job_of):
    job = job_of(ServerSlots(1), batch_size=500)  # 4 steps an epoch: every step recorded
    job.wait()
    snap = job.snapshot()
    recorded = job.trainer.layer_stats  # what the training process recorded, come back with the trainer
    assert [p.step for p in snap.layer_stats] == [p.step for p in recorded] == list(range(1, 9))
    assert snap.stat_layers == ["W1", "W2"]
    for sent, kept in zip(snap.layer_stats, recorded):
        assert sent.epoch == kept.epoch and np.array_equal(sent.update_ratio, kept.update_ratio)
        assert np.array_equal(sent.weight_rms, kept.weight_rms) and np.array_equal(sent.dead_share, kept.dead_share)
    assert job.more_epochs(1)
    job.wait()
    assert [p.step for p in job.snapshot().layer_stats] == list(range(1, 13))  # the new steps, none twice
