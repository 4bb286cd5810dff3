"""Container logs as the kubelet keeps them: per pod, container and restart, current and previous."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class _ContainerLog:
    current: list[str] = field(default_factory=list)  # lines, each ending in "\n"
    previous: list[str] | None = None
    running: bool = True


class LogStore:
    """Thread-safe; the kubelet simulation writes, the API server's ``pods/log`` reads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        # (namespace, pod) -> container -> its log: a pod's logs go together, without a look at every other pod's
        self._logs: dict[tuple[str, str], dict[str, _ContainerLog]] = {}

    def start(self, namespace: str, pod: str, container: str) -> None:
        """A container (re)starts: what it printed before becomes ``previous``."""
        with self._cond:
            logs = self._logs.setdefault((namespace, pod), {})
            log = logs.get(container)
            if log is None:
                logs[container] = _ContainerLog()
            else:
                log.previous, log.current, log.running = log.current, [], True
            self._cond.notify_all()

    def write(self, namespace: str, pod: str, container: str, text: str) -> None:
        with self._cond:
            log = self._logs.setdefault((namespace, pod), {}).setdefault(container, _ContainerLog())
            log.current.extend(text.splitlines(keepends=True))
            if log.current and not log.current[-1].endswith("\n"):
                log.current[-1] += "\n"
            self._cond.notify_all()

    def stop(self, namespace: str, pod: str, container: str) -> None:
        """The container exited: followers reach the end of its log."""
        with self._cond:
            log = self._logs.get((namespace, pod), {}).get(container)
            if log is not None:
                log.running = False
            self._cond.notify_all()

    def forget_pod(self, namespace: str, pod: str) -> None:
        with self._cond:
            self._logs.pop((namespace, pod), None)
            self._cond.notify_all()

    def read(self, namespace: str, pod: str, container: str, previous: bool = False) -> list[str] | None:
        """The log's lines, or None when the container never started (or has no previous run)."""
        with self._cond:
            log = self._logs.get((namespace, pod), {}).get(container)
            if log is None:
                return None
            lines = log.previous if previous else log.current
            return None if lines is None else list(lines)

    def follow(self, namespace: str, pod: str, container: str, start: int, timeout: float) -> tuple[list[str], bool]:
        """Lines from index ``start`` on, waiting up to ``timeout`` for some; and whether more may come."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                log = self._logs.get((namespace, pod), {}).get(container)
                if log is None:
                    return [], False
                if len(log.current) > start or not log.running:
                    return log.current[start:], log.running
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return [], True
                self._cond.wait(remaining)
