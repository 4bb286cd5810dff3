"""The termination message, as the kubelet makes it when a container exits.

The kubelet bind-mounts a file at the container's ``terminationMessagePath`` (default /dev/termination-log).
When the container exits it reads the file's LAST MaxContainerTerminationMessageLength = 4096 bytes
(kuberuntime_container.go getTerminationMessage, ``tail.ReadAtMost``); with ``terminationMessagePolicy:
FallbackToLogsOnError``, a failed container (exit code not 0) that left the file empty gets the log's last 80
lines, at most their last 2048 bytes, instead (pkg/kubelet/container/runtime.go
MaxContainerTerminationMessageLogLines, MaxContainerTerminationMessageLogLength). The status manager keeps the FIRST
MaxPodTerminationMessageLogLength = 12 KiB / (containers + init containers) bytes of each message
(status_manager.go normalizeStatus). The message is ``state.terminated.message``; empty, it is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

MESSAGE_FILE = "termination-log"  # in the container's own directory on this machine
DEFAULT_PATH = "/dev/termination-log"
MAX_CONTAINER_BYTES = 4096
READ_BYTES = 64 * 1024  # of a file's end, before its paths are shown as inside (they may get shorter)
MAX_POD_BYTES = 12 * 1024
FALLBACK_LOG_LINES = 80
FALLBACK_LOG_BYTES = 2048


def message_file(container_dir: Path) -> Path:
    """The file mounted at terminationMessagePath, created empty (as the kubelet does before the start)."""
    path = container_dir / MESSAGE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def termination_message(container_dir: Path | None, pod: dict[str, Any], container: dict[str, Any], exit_code: int,
                        log_lines: list[str] | None, seen_inside: Callable[[str], str] = lambda text: text) -> str:
    """What ``state.terminated.message`` says for a container that exited with ``exit_code``; "" for none.

    ``seen_inside``: a process of this machine wrote its real directories where a container writes its mount paths
    (images/registered.py); the file is read as the container would have written it, then trimmed."""
    data = b""
    if container_dir is not None and (container_dir / MESSAGE_FILE).is_file():
        with open(container_dir / MESSAGE_FILE, "rb") as file:
            file.seek(0, 2)
            file.seek(max(0, file.tell() - READ_BYTES))
            written = file.read().decode("utf-8", errors="replace")
        data = seen_inside(written).encode()[-MAX_CONTAINER_BYTES:]
    if not data and exit_code != 0 and container.get("terminationMessagePolicy") == "FallbackToLogsOnError":
        data = "".join((log_lines or [])[-FALLBACK_LOG_LINES:]).encode()[-FALLBACK_LOG_BYTES:]
    spec = pod.get("spec") or {}
    containers = len(spec.get("containers") or []) + len(spec.get("initContainers") or [])
    data = data[:MAX_POD_BYTES // max(containers, 1)]
    return data.decode("utf-8", errors="replace")
