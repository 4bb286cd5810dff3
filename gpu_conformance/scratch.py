"""The gate's scratch folder: ``$TMPDIR/gpu-gate-<pid>-XXXX``, gone when the gate ends.

It holds the suite's results and every temporary file of the gate process: the Kubernetes client
writes a kubeconfig's certificates and keys to temporary files, which an atexit hook removes, and
SIGKILL skips atexit hooks.

A gate killed outright (SIGKILL) cannot remove its own, so every gate first (before anything else)
removes those of gates that are no longer running: this user's ``gpu-gate-<pid>-*`` folders whose
process does not exist.
(A pid the system has meanwhile given to another process keeps its folder until that process ends.)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "gpu-gate-"


@contextmanager
def scratch_dir() -> Iterator[Path]:
    """A new scratch folder named after this process, this process's temporary folder until it is removed."""
    previous = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix=f"{PREFIX}{os.getpid()}-") as path:
        tempfile.tempdir = path
        try:
            yield Path(path)
        finally:
            tempfile.tempdir = previous


def remove_stale(parent: Path | None = None) -> list[Path]:
    """Remove this user's scratch folders of gates that no longer run; the folders removed."""
    removed = []
    for path in (parent or Path(tempfile.gettempdir())).glob(f"{PREFIX}*-*"):
        pid = path.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            mine = path.is_dir() and path.stat().st_uid == os.getuid()
        except OSError:
            continue
        if mine and pid.isdigit() and not _running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True
