"""What every simulated controller shares: the context it runs in and the interface it offers.

All controllers run on the manager's single thread, so they never race each other; other
threads (a container's subprocess) hand work back through :meth:`Context.post`.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..apiaccess import ApiAccess
from ..dra_plugins import DraPlugins
from ..events import EventRecorder
from ..host_history import HostHistory
from ..logs import LogStore
from ..model import Scenario
from ..store import Obj, Store


class Controller(Protocol):
    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        """React to one store change (``type`` ADDED, MODIFIED or DELETED; ``resource`` a store key)."""

    def stop(self) -> None:
        """Release whatever runs outside the manager thread."""


SLICE_SECONDS = 0.05  # timers run back to back before the manager looks at its store watch again


@dataclass(order=True)
class Timer:
    due: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """The manager's timer heap and cross-thread call queue; delays are simulated seconds."""

    def __init__(self, time_scale: float) -> None:
        self.time_scale = time_scale
        self._heap: list[Timer] = []
        self._background: list[Timer] = []
        self._seq = itertools.count()
        self._calls: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def after(self, seconds: float, callback: Callable[[], None], *, background: bool = False) -> Timer:
        """Run ``callback`` on the manager thread after ``seconds`` of simulated time.

        ``background`` timers (heartbeats that recur for ever) do not keep the cluster from settling.
        """
        timer = Timer(time.monotonic() + max(seconds, 0.0) * self.time_scale, next(self._seq), callback)
        heapq.heappush(self._background if background else self._heap, timer)
        return timer

    def post(self, callback: Callable[[], None]) -> None:
        """Thread-safe: run ``callback`` on the manager thread soon."""
        self._calls.put(callback)

    def run_due(self) -> tuple[float | None, float | None]:
        """Run queued calls and due timers for up to SLICE_SECONDS, the calls again after each timer; the seconds
        until the next timer and until the next foreground one (0: some are due still; None: none).

        A container's exit is a call posted from its thread; a thousand due container starts would otherwise all
        run before it, and it was seen 20 s late, where a kubelet notices one within a second. The slice lets the
        manager dispatch store changes between timers in the same way.
        """
        ends = time.monotonic() + SLICE_SECONDS
        self._run_calls()
        while time.monotonic() < ends and (self._run_next(self._background) or self._run_next(self._heap)):
            self._run_calls()
        background, foreground = self._wait(self._background), self._wait(self._heap)
        waits = [w for w in (background, foreground) if w is not None]
        return (min(waits) if waits else None), foreground

    def _run_calls(self) -> None:
        while True:
            try:
                self._calls.get_nowait()()
            except queue.Empty:
                return

    @staticmethod
    def _run_next(heap: list[Timer]) -> bool:
        """Run the earliest timer of ``heap`` if it is due; whether one ran."""
        if Scheduler._wait(heap) != 0:
            return False
        heapq.heappop(heap).callback()
        return True

    @staticmethod
    def _wait(heap: list[Timer]) -> float | None:
        """Seconds until the earliest live timer of ``heap`` is due (0 once it is), dropping cancelled ones."""
        while heap and heap[0].cancelled:
            heapq.heappop(heap)
        return max(heap[0].due - time.monotonic(), 0.0) if heap else None


@dataclass
class Context:
    store: Store
    logs: LogStore
    scenario: Scenario
    host_roots: Mapping[str, Path]
    recorder: EventRecorder
    clock: Scheduler
    volumes_root: Path | None = None  # where local persistent volumes live on this machine, one dir per node
    pods_root: Path | None = None  # where the kubelet keeps pods' files (configMap and projected volumes)
    api: ApiAccess = field(default_factory=ApiAccess)
    history: HostHistory = field(default_factory=HostHistory)  # a device plugin's first start on each node
    dra_plugins: DraPlugins = field(default_factory=DraPlugins)  # DRA kubelet plugins registered per node


class WorkQueue:
    """Coalesces reconcile requests per (namespace, name), as a controller's workqueue does."""

    def __init__(self, clock: Scheduler, sync: Callable[[str, str], None], delay: float = 0.02) -> None:
        self._clock = clock
        self._sync = sync
        self._delay = delay
        self._queued: set[tuple[str, str]] = set()

    def add(self, namespace: str, name: str, after: float | None = None) -> None:
        key = (namespace, name)
        if after is not None:
            self._clock.after(after, lambda: self.add(*key))
            return
        if key in self._queued:
            return
        self._queued.add(key)

        def run() -> None:
            self._queued.discard(key)
            self._sync(*key)

        self._clock.after(self._delay, run)
