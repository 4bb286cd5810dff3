"""The pre-forked worker ("zygote") of a simulated cluster: ``python -P zygote.py CONTROL_FD MODULE``.

A separate, single-threaded interpreter that imports MODULE once (and what its ``__main__`` imports), then
forks one child per container the simulated kubelet starts through it (images/prefork.py is the kubelet's
side). Standard library only: it is run by file name, never imported by the test bed, so nothing of the test
bed is in the child's ``sys.modules``.

Protocol on CONTROL_FD, a SOCK_SEQPACKET unix socket (one JSON object per message):

- test bed -> zygote: ``{"id", "argv", "env", "cwd"}`` with the write end of the container's log pipe
  attached (``socket.send_fds``): fork a container. ``{"reap": pid}``: the kubelet has seen the exit, reap it.
- zygote -> test bed: ``{"id", "pid"}`` once forked; ``{"id", "exit"}`` when the child has ended (a
  signal's end as ``-signal``, as ``Popen.returncode``). The child stays unreaped (a zombie) until the
  ``reap`` message, so its pid, process group and session stay its own while the kubelet kills what is left
  of the container's session, exactly as with a subprocess the kubelet waits for itself.

The zygote exits when the test bed closes its end; children live on in their own sessions.

The child becomes the container's PID 1 as a fresh ``python -m MODULE ARGS`` would be: its own session
(``setsid``), stdin /dev/null, stdout and stderr the log pipe, the container's environment in ``os.environ``
(and so in the C environment its subprocesses inherit), its working directory, ``sys.argv``, and
``runpy.run_module(MODULE, run_name="__main__", alter_sys=True)``. It then returns to this script's top level
and the interpreter ends as any does: ``SystemExit``'s code, an uncaught exception's traceback on stderr and
exit status 1, atexit handlers, non-daemon threads joined, buffers flushed.

What still differs from a fresh interpreter, and why the probe cannot tell:

- Modules imported before the fork were imported with the zygote's environment and working directory (the
  first container's, with this machine's LD_LIBRARY_PATH), not the container's. The probe reads its
  environment, /dev, its host root and NVML when it runs, never at import (its variables are the container's
  by then).
- The loader read LD_LIBRARY_PATH when the zygote started, not the child: a later
  ``dlopen("libnvidia-ml.so.1")`` would not search the container's library directory. So the child first
  loads, by absolute path and RTLD_GLOBAL, every ``lib*.so*`` of each directory the container's
  LD_LIBRARY_PATH adds (the first directory that holds a name wins, as the loader's search order), and a
  dlopen by soname then finds the one already loaded (glibc matches loaded objects by DT_SONAME; the
  stand-in library is linked with ``-soname`` in nvml/build.py). Without such a directory nothing is loaded
  and NVML is "Library Not Found", as in a fresh process. The libraries' constructors run before the
  program instead of at its first dlopen.
- Interpreter-startup state is the zygote's: the hash seed (``PYTHONHASHSEED``), ``sys.flags`` (``-P`` here,
  so that the zygote's own folder is not on ``sys.path``), ``sys.orig_argv`` and /proc/self/cmdline (``ps``
  shows the zygote's command line for each container), the ``__main__`` module (a temporary one during the
  run, as ``runpy.run_module`` makes); and the objects imported before the fork sit in the collector's
  permanent generation (``gc.freeze``, so that the child's collections leave their pages shared;
  ``gc.get_freeze_count()`` is not 0). None of it is what the probe reads or prints. The kubelet forks
  through a zygote only where the variables read at startup (PYTHON*, LANG, LC_*, LD_* but LD_LIBRARY_PATH)
  match the zygote's and no ``sitecustomize``/``usercustomize`` module on PYTHONPATH must run at the
  container's start.
- A traceback shows this script's frame and runpy's below the program's, where a fresh ``python -m`` shows
  ``<frozen runpy>``'s; the program's own frames, the message and the exit status are the same.
"""

from __future__ import annotations

import ast
import ctypes
import gc
import importlib
import importlib.util
import json
import os
import runpy
import select
import socket
import sys
from pathlib import Path
from typing import Any

_MESSAGE_LIMIT = 1 << 20


def _warm(module: str) -> None:
    """Import MODULE and the modules its ``__main__`` imports at its top level (what ``-m`` would run)."""
    try:
        importlib.import_module(module)
        spec = importlib.util.find_spec(f"{module}.__main__") or importlib.util.find_spec(module)
        if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
            return
        package = spec.name.rpartition(".")[0]
        for node in ast.parse(Path(spec.origin).read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    importlib.import_module(alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module:
                importlib.import_module("." * node.level + node.module, package if node.level else None)
    except Exception:  # the child runs the module and fails there as a fresh process would
        pass


def _serve(control: socket.socket) -> tuple[dict[str, Any], int]:
    """Fork a child per request until the test bed hangs up; returns only in a child: (request, log fd)."""
    poller = select.poll()
    poller.register(control, select.POLLIN)
    children: dict[int, tuple[int, int]] = {}  # pidfd -> (pid, request id)
    while True:
        for fd, _ in poller.poll():
            if fd != control.fileno():
                pid, request_id = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
                assert ended is not None  # the pidfd is readable: it has ended
                code = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
                control.send(json.dumps({"id": request_id, "exit": code}).encode())
                continue
            message, fds, _, _ = socket.recv_fds(control, _MESSAGE_LIMIT, 1)
            if not message:
                sys.exit(0)
            request = json.loads(message)
            if "reap" in request:
                os.waitpid(request["reap"], 0)
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            gc.freeze()  # the child's collections leave the zygote's objects (and their shared pages) alone
            pid = os.fork()
            if pid == 0:
                for pidfd in children:
                    os.close(pidfd)
                control.close()
                return request, fds[0]
            os.close(fds[0])
            pidfd = os.pidfd_open(pid)
            children[pidfd] = (pid, request["id"])
            poller.register(pidfd, select.POLLIN)
            control.send(json.dumps({"id": request["id"], "pid": pid}).encode())


def _preload_libraries(search_path: str, already_searched: str) -> None:
    """Load what the loader would find on the container's LD_LIBRARY_PATH, which it read before the fork."""
    searched = set(already_searched.split(os.pathsep))
    loaded: set[str] = set()
    for folder in search_path.split(os.pathsep):
        if not folder or folder in searched or not os.path.isdir(folder):
            continue
        for library in sorted(Path(folder).glob("lib*.so*")):
            if library.name not in loaded and library.is_file():
                ctypes.CDLL(str(library), mode=ctypes.RTLD_GLOBAL)
                loaded.add(library.name)


def _become(request: dict[str, Any], log: int, module: str, zygote_library_path: str) -> None:
    """Turn this fresh fork into the container's PID 1 and run the program."""
    gc.enable()
    os.setsid()
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    _preload_libraries(os.environ.get("LD_LIBRARY_PATH", ""), zygote_library_path)
    sys.argv = [request["argv"][0], *request["argv"][3:]]  # [0] becomes the module's file, as with -m
    runpy.run_module(module, run_name="__main__", alter_sys=True)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    module = sys.argv[2]
    sys.path.insert(0, os.getcwd())  # what -m puts first
    library_path = os.environ.get("LD_LIBRARY_PATH", "")
    gc.disable()  # no holes in the pages children share: Python's gc docs on fork() without exec()
    _warm(module)
    request, log = _serve(control)
    _become(request, log, module, library_path)


if __name__ == "__main__":
    main()
