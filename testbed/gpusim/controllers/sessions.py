"""Killing every process of ended containers' sessions: one /proc scan for all the containers waiting on one.

A container's processes are found by their session id (/proc/PID/stat), which takes a read of every process's
stat file. At 1000 nodes thousands of containers end within seconds while /proc holds thousands of processes,
and a scan each (0.3 s and more on the 2-core machine) queued their exits for many minutes. Here a caller that
finds a scan under way waits for the next one, which one of the waiting callers runs for all of them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading


class SessionSweeper:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pending: set[int] = set()
        self._sweeping = False
        self._started = 0
        self._finished = 0

    def kill(self, session: int) -> None:
        """SIGKILL every process of ``session``; returns once a scan begun after the call has done so."""
        with self._cond:
            self._pending.add(session)
            mine = self._started + 1  # the next scan to start takes every pending session
            while self._finished < mine:
                if self._sweeping:
                    self._cond.wait()
                    continue
                self._sweeping = True
                self._started += 1
                batch, self._pending = self._pending, set()
                self._cond.release()
                try:
                    _kill_members(batch)
                finally:
                    self._cond.acquire()
                    self._finished += 1
                    self._sweeping = False
                    self._cond.notify_all()


def _kill_members(sessions: set[int]) -> None:
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()  # state ppid pgrp session ...
        except (OSError, IndexError):
            continue
        if int(fields[3]) in sessions:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(name), signal.SIGKILL)
