"""The kubelet's bookkeeping for one pod on a node and each of its containers."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..images import Process, Script
from ..images.prefork import PreforkedProcess
from ..logs import LogStore
from .base import Timer
from .sessions import SessionSweeper

ContainerProcess = subprocess.Popen[bytes] | PreforkedProcess  # PID 1: pid, stdout, wait(), returncode
_SESSIONS = SessionSweeper()


@dataclass
class ContainerRun:
    name: str
    spec: dict[str, Any]
    init: bool
    state: dict[str, Any] = field(default_factory=lambda: {"waiting": {"reason": "ContainerCreating"}})
    last_state: dict[str, Any] = field(default_factory=dict)
    restart_count: int = 0
    ready: bool = False
    started: bool = False
    container_id: str = ""
    image_id: str = ""
    crash_backoff: float = 0.0  # seconds the next restart waits (0: restart at once)
    pull_backoff: float = 0.0
    run_id: int = 0  # bumps on every start so stale timers and exits are ignored
    timers: list[Timer] = field(default_factory=list)
    process: ContainerProcess | None = None
    outcome: Script | Process | None = None
    registered: bool = False

    @property
    def field_path(self) -> str:
        return f"spec.{'initContainers' if self.init else 'containers'}{{{self.name}}}"

    @property
    def running(self) -> bool:
        return "running" in self.state

    @property
    def terminated(self) -> dict[str, Any] | None:
        result: dict[str, Any] | None = self.state.get("terminated")
        return result

    def new_container_id(self) -> str:
        self.container_id = f"containerd://{secrets.token_hex(32)}"
        return self.container_id

    def cancel_timers(self) -> None:
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()

    def kill(self) -> None:
        self.cancel_timers()
        if self.process is not None:
            kill_container(self.process)


@dataclass
class PodRun:
    uid: str
    namespace: str
    name: str
    node: str
    containers: dict[str, ContainerRun]
    init_names: list[str]
    start_time: str
    pod_ip: str = ""
    sandbox_ready: bool = False
    next_init: int = 0
    forced_phase: str | None = None  # Failed after a deadline or an init failure
    reason: str | None = None
    message: str | None = None
    terminating: bool = False
    stopped: bool = False  # deleted, and every container has stopped
    timers: list[Timer] = field(default_factory=list)

    @property
    def initialized(self) -> bool:
        return self.next_init >= len(self.init_names)

    def regular(self) -> list[ContainerRun]:
        return [c for c in self.containers.values() if not c.init]

    def kill_all(self) -> None:
        for timer in self.timers:
            timer.cancel()
        for container in self.containers.values():
            container.kill()


def start_process(process: Process, logs: LogStore, where: tuple[str, str, str],
                  on_exit: Callable[[int], None]) -> ContainerProcess:
    """Run the container's PID 1, a real process in a session of its own that stands for the container: its
    combined output streams into the container log, and when it ends so does every process it started."""
    child = _launch(process)

    def pump() -> None:
        assert child.stdout is not None
        for line in iter(child.stdout.readline, b""):
            logs.write(*where, process.as_seen_inside(line.decode(errors="replace")))
        if _ended_unreaped(child):  # what it started goes first
            kill_container(child)
        on_exit(child.wait())

    threading.Thread(target=pump, name=f"container-{where[2]}", daemon=True).start()
    return child


def _launch(process: Process) -> ContainerProcess:
    """Forked from the cluster's zygote where one can stand for a fresh interpreter (images/prefork.py), a
    subprocess otherwise."""
    forked = None if process.zygotes is None else process.zygotes.start(process.argv, process.env)
    if forked is not None:
        return forked
    return subprocess.Popen(list(process.argv), env=process.env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def _ended_unreaped(child: ContainerProcess) -> bool:
    """Wait until PID 1 has ended, leaving it unreaped (its id still the session's); False if already reaped."""
    if isinstance(child, PreforkedProcess):
        return child.wait_unreaped()
    try:
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def kill_container(child: ContainerProcess) -> None:
    """SIGKILL every process of the container (its session), as a runtime kills a container's cgroup: those
    in process groups of their own too (a shell's jobs, a command's child it keeps apart from Ctrl-C).

    Only while PID 1 is not reaped (its id is then surely still the session's); once it is, the session is gone.
    """
    if child.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGKILL)
        _SESSIONS.kill(child.pid)
