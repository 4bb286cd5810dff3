"""Follow every pod of one run with ONE watch until each node's pod is done: no per-node polling.

A pod the scheduler cannot place produces no further changes for a watch to see, so a pod that
stays Unschedulable with the same message for a grace period is decided by timer: the watch is
restarted (one list, one watch) when the earliest such grace ends, and every pod whose grace ends
within a second of it is decided together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from . import logs
from .pod_state import node_of, phase, unschedulable_message
from .watch import follow

COALESCE_SECONDS = 1.0


@dataclass(frozen=True)
class _Stuck:
    message: str
    since: float


class _Tracker:
    def __init__(
        self, nodes: Iterable[str], on_done: Callable[[str, Any], None], grace: float | None
    ) -> None:
        self.waiting = set(nodes)
        self.last: dict[str, Any] = {}
        self.stuck: dict[str, _Stuck] = {}
        self._on_done, self._grace = on_done, grace

    def done(self, node: str) -> None:
        self.waiting.discard(node)
        self.stuck.pop(node, None)
        self._on_done(node, self.last[node])

    def wake(self, deadline: float) -> float:
        if self._grace is None or not self.stuck:
            return deadline
        return min(deadline, min(s.since for s in self.stuck.values()) + self._grace)

    def track_stuck(self, node: str, pod: Any) -> None:
        message = unschedulable_message(pod)
        if message is None:
            self.stuck.pop(node, None)
        elif node not in self.stuck or self.stuck[node].message != message:
            self.stuck[node] = _Stuck(message, time.monotonic())

    def decide_stuck(self) -> None:
        if self._grace is None:
            return
        limit = time.monotonic() + COALESCE_SECONDS - self._grace
        for node in [n for n, s in self.stuck.items() if s.since <= limit]:
            self.done(node)


def follow_pods(
    core: Any,
    namespace: str,
    selector: str,
    nodes: Iterable[str],
    deadline: float,
    finished: Callable[[Any], bool],
    on_done: Callable[[str, Any], None],
    stuck_grace: float | None = None,
) -> dict[str, Any]:
    """Watch the pods matching ``selector`` until each of ``nodes`` has a finished pod, or ``deadline``.

    A pod is finished when ``finished(pod)`` says so, when it is deleted, or when it has been
    Unschedulable with an unchanged message for ``stuck_grace`` seconds (None: never by timer).
    ``on_done(node, pod)`` is called once per finished node, as it finishes. Returns each node's
    last seen pod; nodes whose pod never appeared are absent.
    """
    tracker = _Tracker(nodes, on_done, stuck_grace)
    while tracker.waiting and time.monotonic() < deadline:
        wake = tracker.wake(deadline)
        for kind, pod in follow(core.list_namespaced_pod, wake, namespace=namespace, label_selector=selector):
            node = node_of(pod)
            if node not in tracker.waiting:
                continue
            tracker.last[node] = pod
            if kind == "DELETED" or finished(pod):
                tracker.done(node)
            else:
                tracker.track_stuck(node, pod)
            if not tracker.waiting or tracker.wake(deadline) < wake:
                break  # all done, or a grace ends before this watch would: restart it with an earlier wake
        tracker.decide_stuck()
    return tracker.last


def follow_pods_and_logs(
    core: Any,
    namespace: str,
    selector: str,
    nodes: Iterable[str],
    deadline: float,
    finished: Callable[[Any], bool],
    container: str,
    stuck_grace: float | None = None,
) -> tuple[dict[str, Any], dict[str, logs.ContainerLog]]:
    """``follow_pods``, reading each pod's log as soon as it has run to an end, concurrently.

    Returns each node's last seen pod and the logs of the pods that terminated (read, or why not).
    """
    with logs.pool() as executor:
        reads: dict[str, Future[logs.ContainerLog]] = {}

        def read(node: str, pod: Any) -> None:
            if phase(pod) in ("Succeeded", "Failed"):
                reads[node] = executor.submit(logs.read_container_log, core, namespace, pod.metadata.name,
                                              container)

        last = follow_pods(core, namespace, selector, nodes, deadline, finished, read, stuck_grace)
        return last, {node: future.result() for node, future in reads.items()}
