"""Training slots: per server process, or shared by every process of a machine through file locks."""
import subprocess
import sys
from pathlib import Path

import pytest

from jobs import slots
from jobs.slots import MachineSlots, ServerSlots

ROOT = Path(__file__).resolve().parent.parent
HOLDER = ("import sys, time; from jobs.slots import MachineSlots; "
          "assert MachineSlots(sys.argv[1], int(sys.argv[2])).acquire(timeout=60); print('held', flush=True); "
          "time.sleep(600)")


def holder(directory, count) -> subprocess.Popen:
    """Another process that takes one slot and keeps it until it is killed."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(directory), str(count)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "held"
    return process


def test_processes_sharing_a_directory_hold_at_most_count_slots_and_a_killed_holder_frees_its_own(tmp_path):
    holders = [holder(tmp_path, 2), holder(tmp_path, 2)]
    try:
        ours = MachineSlots(tmp_path, 2)
        assert not ours.acquire(timeout=0.5)  # both slots are held by the other processes
        holders[0].kill()  # a crash: nobody releases anything, the operating system drops the lock
        holders[0].wait()
        assert ours.acquire(timeout=30)
        assert not ours.acquire(timeout=0.2)  # the other one is still held
        ours.release()
    finally:
        for process in holders:
            process.kill()
            process.wait()


def test_threads_of_one_process_share_the_count_too(tmp_path):
    first, second = MachineSlots(tmp_path, 2), MachineSlots(tmp_path, 2)  # two servers' jobs, say
    assert first.acquire(timeout=0) and second.acquire(timeout=0)
    assert not first.acquire(timeout=0) and not second.acquire(timeout=0)
    second.release()
    assert first.acquire(timeout=0)
    first.release()
    first.release()
    with pytest.raises(ValueError):
        first.release()


def test_the_environment_chooses_machine_wide_slots_one_per_core(tmp_path, monkeypatch):
    monkeypatch.delenv(slots.SLOTS_DIR_ENV, raising=False)
    alone = slots.training_slots()
    assert isinstance(alone, ServerSlots) and alone.count == slots.MAX_CONCURRENT and alone.place == "on this server"
    monkeypatch.setenv(slots.SLOTS_DIR_ENV, str(tmp_path / "slots"))
    shared = slots.training_slots()
    assert isinstance(shared, MachineSlots) and shared.count == slots.cores() and shared.place == "on this machine"
    assert shared.acquire(timeout=0)
    assert sorted(p.name for p in (tmp_path / "slots").iterdir())[0] == "slot-0"
    shared.release()
