"""Containers ending together share one /proc scan, and each one's whole session is killed by it."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest
from gpusim.controllers.sessions import SessionSweeper

pytestmark = pytest.mark.e2e

# PID 1 of a "container": a grandchild in a process group of its own (only the session's kill reaches it).
SPAWN = "import subprocess, sys, time; print(subprocess.Popen(['sleep', '60'], process_group=0).pid, flush=True); " \
        "time.sleep(60)"


def test_concurrent_kills_end_every_process_of_each_session() -> None:
    leaders = [subprocess.Popen([sys.executable, "-c", SPAWN], stdout=subprocess.PIPE, start_new_session=True)
               for _ in range(4)]
    grandchildren = [int(leader.stdout.readline()) for leader in leaders if leader.stdout is not None]
    sweeper = SessionSweeper()
    threads = [threading.Thread(target=sweeper.kill, args=(leader.pid,)) for leader in leaders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [leader.wait(timeout=10) for leader in leaders] == [-9] * 4
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in grandchildren):
        assert time.monotonic() < deadline, "a grandchild outlived its session's kill"
        time.sleep(0.02)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False
