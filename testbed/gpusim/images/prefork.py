"""Starting a registered image's process by forking it from a zygote (images/zygote.py) instead of exec'ing a
fresh interpreter: a ``python -m MODULE`` container then costs a fork, not the ~0.3 s of importing the program.

Each simulated cluster has its zygotes (``Zygotes``, registered for the cluster's work directory by
cluster.py and found from a container's directory by registered.py), one per interpreter, module, working
directory and startup environment, each started on first use, as a subprocess of its own (never a fork of
this multi-threaded process), and stopped with the cluster. ``Zygotes.start`` answers None where a zygote
cannot stand for a fresh process (zygote.py says what differs and why it does not matter): the kubelet then
starts a subprocess as before (controllers/containers.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

ZYGOTE = Path(__file__).with_name("zygote.py")
_MESSAGE_LIMIT = 1 << 16
# Read by the interpreter or the loader at process start: a zygote's child has the zygote's.
_STARTUP_PREFIXES = ("PYTHON", "LC_", "LD_")
_STARTUP_NAMES = ("LANG",)
_RELOADED = "LD_LIBRARY_PATH"  # the child loads the container's libraries itself (zygote.py)
_AT_START_UP = ("sitecustomize.py", "usercustomize.py")  # site imports them: they would run in the zygote


class PreforkedProcess:
    """A container's PID 1 forked by a zygote, seen as ``subprocess.Popen`` shows a child: ``pid``,
    ``stdout`` (the log pipe's read end), ``returncode`` (None until ``wait`` has reaped it)."""

    def __init__(self, zygote: Zygote, stdout: IO[bytes]) -> None:
        self._zygote = zygote
        self.stdout = stdout
        self.pid = 0
        self.returncode: int | None = None
        self._code: int | None = None
        self._unreaped = True
        self._forked = threading.Event()
        self._ended = threading.Event()

    def forked(self, pid: int) -> None:
        self.pid = pid
        self._forked.set()

    def ended(self, code: int, unreaped: bool = True) -> None:
        self._code = code
        self._unreaped = unreaped
        self._forked.set()
        self._ended.set()

    def wait_forked(self) -> None:
        self._forked.wait()

    def wait_unreaped(self) -> bool:
        """Until PID 1 has ended; it stays a zombie (its session id its own) until ``wait``. False where the
        zygote went first: then nobody knows whether the pid is still the container's."""
        self._ended.wait()
        return self._unreaped

    def wait(self) -> int:
        self._ended.wait()
        if self.returncode is None:
            assert self._code is not None
            self.returncode = self._code
            if self._unreaped:
                self._zygote.send({"reap": self.pid})
        return self.returncode


class Zygote:
    """One zygote process and the thread that reads its answers."""

    def __init__(self, executable: str, module: str, cwd: str, env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._control = ours
        self._lock = threading.Lock()
        self._next_id = 0
        self._running: dict[int, PreforkedProcess] = {}
        self._gone = False
        try:
            self._process = subprocess.Popen(
                [executable, "-P", str(ZYGOTE), str(theirs.fileno()), module], pass_fds=(theirs.fileno(),),
                cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                start_new_session=True)
        finally:
            theirs.close()
        threading.Thread(target=self._read, name=f"zygote-{module}", daemon=True).start()

    def start(self, argv: Sequence[str], env: Mapping[str, str], cwd: str) -> PreforkedProcess | None:
        """Fork a container's process; None once the zygote is gone."""
        read_end, write_end = os.pipe()
        try:
            with self._lock:
                if self._gone:
                    os.close(read_end)
                    return None
                self._next_id += 1
                handle = self._running[self._next_id] = PreforkedProcess(self, os.fdopen(read_end, "rb"))
                request = {"id": self._next_id, "argv": list(argv), "env": dict(env), "cwd": cwd}
                try:
                    socket.send_fds(self._control, [json.dumps(request).encode()], [write_end])
                except OSError:  # stopped meanwhile
                    del self._running[self._next_id]
                    handle.stdout.close()
                    return None
        finally:
            os.close(write_end)
        handle.wait_forked()
        return handle if handle.pid else None

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the zygote is gone: init reaps its orphans
            self._control.send(json.dumps(message).encode())

    def _read(self) -> None:
        while True:
            try:
                message = self._control.recv(_MESSAGE_LIMIT)
            except OSError:
                message = b""
            if not message:
                break
            answer = json.loads(message)
            handle = self._running.get(answer["id"])
            if handle is None:
                continue
            if "pid" in answer:
                handle.forked(answer["pid"])
            else:
                del self._running[answer["id"]]
                handle.ended(answer["exit"])
        with self._lock:  # what it still held ended unseen: report them killed
            self._gone = True
            for handle in self._running.values():
                handle.ended(-signal.SIGKILL, unreaped=False)
            self._running.clear()

    def stop(self) -> None:
        """End the zygote at once (it holds nothing of value; its children live on in their sessions) and
        shut the socket down, which wakes our reader where a close would not."""
        self._process.kill()
        self._process.wait()
        with contextlib.suppress(OSError):
            self._control.shutdown(socket.SHUT_RDWR)
        self._control.close()


class Zygotes:
    """A simulated cluster's zygotes, by (interpreter, module, working directory, startup environment)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._zygotes: dict[tuple[str, ...], Zygote] = {}
        self._stopped = False

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> PreforkedProcess | None:
        """The container's process forked from a zygote, or None where it must run as a fresh process."""
        module = forkable_module(argv, env)
        if module is None:
            return None
        cwd = os.getcwd()
        startup = {k: v for k, v in env.items() if _read_at_startup(k)}
        key = (argv[0], module, cwd, *sorted(f"{k}={v}" for k, v in startup.items()))
        with self._lock:
            if self._stopped:
                return None
            zygote = self._zygotes.get(key)
            if zygote is None:
                zygote_env = {k: v for k, v in env.items() if k != _RELOADED}
                if _RELOADED in os.environ:  # this machine's: every container's loader searches it too
                    zygote_env[_RELOADED] = os.environ[_RELOADED]
                zygote = self._zygotes[key] = Zygote(argv[0], module, cwd, zygote_env)
        return zygote.start(argv, env, cwd)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            zygotes = list(self._zygotes.values())
            self._zygotes.clear()
        for zygote in zygotes:
            zygote.stop()


def _read_at_startup(name: str) -> bool:
    return name != _RELOADED and (name.startswith(_STARTUP_PREFIXES) or name in _STARTUP_NAMES)


def forkable_module(argv: Sequence[str], env: Mapping[str, str]) -> str | None:
    """MODULE of a ``PYTHON -m MODULE ...`` argv a zygote can run, else None."""
    if len(argv) < 3 or argv[1] != "-m" or argv[2].startswith("-") or not _is_python(argv[0]):
        return None
    for folder in env.get("PYTHONPATH", "").split(os.pathsep):
        if folder and any((Path(folder) / name).exists() for name in _AT_START_UP):
            return None
    return argv[2]


def _is_python(executable: str) -> bool:
    return os.path.basename(executable).startswith("python") or executable == sys.executable


_BY_DIRECTORY: dict[Path, Zygotes] = {}
_REGISTRY_LOCK = threading.Lock()


def serve_under(directory: Path) -> Zygotes:
    """The zygotes of the containers whose directories lie under ``directory`` (a cluster's work dir)."""
    zygotes = Zygotes()
    with _REGISTRY_LOCK:
        _BY_DIRECTORY[directory.resolve()] = zygotes
    return zygotes


def stop_under(directory: Path) -> None:
    with _REGISTRY_LOCK:
        zygotes = _BY_DIRECTORY.pop(directory.resolve(), None)
    if zygotes is not None:
        zygotes.stop()


def zygotes_for(container_dir: Path | None) -> Zygotes | None:
    if container_dir is None:
        return None
    resolved = container_dir.resolve()
    with _REGISTRY_LOCK:
        return next((z for d, z in _BY_DIRECTORY.items() if resolved.is_relative_to(d)), None)
