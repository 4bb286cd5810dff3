"""Follow every pod of one run with ONE watch until each node's pod is done: no per-node polling.

A pod the scheduler cannot place produces no further changes for a watch to see, so a pod that
stays Unschedulable with the same message for a grace period is decided by timer: the watch is
restarted (one list, one watch) when the earliest such grace ends, and every pod whose grace ends
within a second of it is decided together.

Nor does a pod bound to a node whose kubelet stopped: it stays Pending. So while pods have been waiting
to run for NODE_CHECK_SECONDS, the nodes are read (one list call, at most every NODE_CHECK_SECONDS); a
node that is no longer Ready is given up at once, saying so, instead of being waited out to the deadline.
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
NODE_CHECK_SECONDS = 10.0

NotReady = Callable[[list[str]], dict[str, str]]  # node names -> {node: "node X is NotReady since ..."}


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
        self.not_ready: dict[str, str] = {}  # nodes given up because they are no longer Ready, and why
        self._on_done, self._grace = on_done, grace
        self._node_check = time.monotonic() + NODE_CHECK_SECONDS

    def done(self, node: str) -> None:
        self.waiting.discard(node)
        self.stuck.pop(node, None)
        self._on_done(node, self.last[node])

    def wake(self, deadline: float, checking_nodes: bool) -> float:
        wake = min(deadline, self._node_check) if checking_nodes else deadline
        if self._grace is None or not self.stuck:
            return wake
        return min(wake, min(s.since for s in self.stuck.values()) + self._grace)

    def check_nodes(self, not_ready: NotReady) -> None:
        """Give up the waiting nodes that are no longer Ready, once NODE_CHECK_SECONDS have passed, or before
        a stuck pod is decided (its node's unreachable taint is why it is unschedulable, not a missing toleration)."""
        if time.monotonic() < self._node_check and not self._stuck_due():
            return
        self._node_check = time.monotonic() + NODE_CHECK_SECONDS
        for node, why in not_ready(sorted(self.waiting)).items():
            self.waiting.discard(node)
            self.stuck.pop(node, None)
            self.not_ready[node] = why

    def track_stuck(self, node: str, pod: Any) -> None:
        message = unschedulable_message(pod)
        if message is None:
            self.stuck.pop(node, None)
        elif node not in self.stuck or self.stuck[node].message != message:
            self.stuck[node] = _Stuck(message, time.monotonic())

    def _stuck_due(self) -> list[str]:
        if self._grace is None:
            return []
        limit = time.monotonic() + COALESCE_SECONDS - self._grace
        return [n for n, s in self.stuck.items() if s.since <= limit]

    def decide_stuck(self) -> None:
        for node in self._stuck_due():
            self.done(node)


@dataclass(frozen=True)
class Followed:
    last: dict[str, Any]  # each node's last seen pod; nodes whose pod never appeared are absent
    not_ready: dict[str, str]  # nodes given up because they are no longer Ready: why, in one line


def follow_pods(
    core: Any,
    namespace: str,
    selector: str,
    nodes: Iterable[str],
    deadline: float,
    finished: Callable[[Any], bool],
    on_done: Callable[[str, Any], None],
    stuck_grace: float | None = None,
    not_ready: NotReady | None = None,
    on_seen: Callable[[str, Any], None] | None = None,
) -> Followed:
    """Watch the pods matching ``selector`` until each of ``nodes`` has a finished pod, or ``deadline``.

    A pod is finished when ``finished(pod)`` says so, when it is deleted, or when it has been
    Unschedulable with an unchanged message for ``stuck_grace`` seconds (None: never by timer).
    ``on_done(node, pod)`` is called once per finished node, as it finishes. With ``not_ready``, nodes
    that are no longer Ready are given up (no ``on_done``) and said in ``Followed.not_ready``. ``on_seen(node, pod)``
    is called for every change of a followed node's pod, finished or not.
    """
    tracker = _Tracker(nodes, on_done, stuck_grace)
    while tracker.waiting and time.monotonic() < deadline:
        wake = tracker.wake(deadline, not_ready is not None)
        for kind, pod in follow(core.list_namespaced_pod, wake, namespace=namespace, label_selector=selector):
            node = node_of(pod)
            if node not in tracker.waiting:
                continue
            tracker.last[node] = pod
            if on_seen is not None:
                on_seen(node, pod)
            if kind == "DELETED" or finished(pod):
                tracker.done(node)
            else:
                tracker.track_stuck(node, pod)
            if not tracker.waiting or tracker.wake(deadline, not_ready is not None) < wake:
                break  # all done, or a grace ends before this watch would: restart it with an earlier wake
        if not_ready is not None and tracker.waiting:
            tracker.check_nodes(not_ready)
        tracker.decide_stuck()
    return Followed(tracker.last, tracker.not_ready)


def follow_pods_and_logs(
    core: Any,
    namespace: str,
    selector: str,
    nodes: Iterable[str],
    deadline: float,
    finished: Callable[[Any], bool],
    container: str,
    stuck_grace: float | None = None,
    not_ready: NotReady | None = None,
    on_seen: Callable[[str, Any], None] | None = None,
    needs_log: Callable[[Any], bool] = lambda pod: True,
) -> tuple[Followed, dict[str, logs.ContainerLog]]:
    """``follow_pods``, reading each pod's log as soon as it has run to an end, concurrently, unless
    ``needs_log(pod)`` says what the pod's status holds is enough (its termination message).

    Returns what was followed and the logs of the pods that terminated (read, or why not).
    """
    with logs.pool() as executor:
        reads: dict[str, Future[logs.ContainerLog]] = {}

        def read(node: str, pod: Any) -> None:
            if phase(pod) in ("Succeeded", "Failed") and needs_log(pod):
                reads[node] = executor.submit(logs.read_container_log, core, namespace, pod.metadata.name,
                                              container)

        followed = follow_pods(core, namespace, selector, nodes, deadline, finished, read, stuck_grace, not_ready,
                               on_seen)
        return followed, {node: future.result() for node, future in reads.items()}
