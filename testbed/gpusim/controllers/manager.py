"""Runs every simulated controller on one background thread fed by the store's watch log."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path

from ..apiaccess import ApiAccess
from ..errors import ApiError
from ..events import EventRecorder
from ..logs import LogStore
from ..model import Scenario
from ..resources import DAEMONSET, EVENT, LEASE, RESOURCES
from ..store import Obj, Store, Watch
from .base import Context, Controller, Scheduler
from .cronjob import CronJobController
from .daemonset import DaemonSetController
from .devices import DeviceManager
from .gc import GarbageCollector
from .heartbeat import Heartbeats
from .job import JobController
from .kubelet import Kubelet
from .namespace import NamespaceController
from .node_lifecycle import NodeLifecycleController
from .persistentvolumes import VolumeController
from .resource_claims import ResourceClaimController
from .scheduler import SchedulerController

_log = logging.getLogger(__name__)
_MAX_WAIT = 0.05  # seconds; also how soon work posted from other threads runs
# Simulated seconds without due work after which the cluster counts as settled: longer than an
# image pull or a container's start-up, shorter than the first crash-loop or image-pull back-off.
SETTLE_HORIZON = 2.0


class ControllerManager:
    def __init__(self, store: Store, logs: LogStore, scenario: Scenario, host_roots: Mapping[str, Path], *,
                 time_scale: float = 1.0, root_ca: str = "", volumes_root: Path | None = None,
                 pods_root: Path | None = None, access: ApiAccess | None = None) -> None:
        self._store = store
        self._clock = Scheduler(time_scale)
        ctx = Context(store, logs, scenario, host_roots, EventRecorder(store), self._clock, volumes_root,
                      pods_root, access or ApiAccess())
        devices = DeviceManager(ctx)
        installed = frozenset(c["image"] for ds in store.list(DAEMONSET)[0]
                              for c in ds["spec"]["template"]["spec"].get("containers") or [])
        kubelet = Kubelet(ctx, devices, installed)
        self._controllers: list[Controller] = [
            NamespaceController(ctx, root_ca), SchedulerController(ctx), kubelet,
            DaemonSetController(ctx), JobController(ctx), CronJobController(ctx), GarbageCollector(ctx),
            VolumeController(ctx), Heartbeats(ctx, kubelet.stop_node), NodeLifecycleController(ctx),
            ResourceClaimController(ctx),
        ]
        self._stopping = threading.Event()
        self._settled = threading.Event()
        self._thread: threading.Thread | None = None
        self._watch: Watch | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._watch = self._store.watch(None)
        self._thread = threading.Thread(target=self._run, name="sim-controllers", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._watch is not None:
            self._watch.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=1.0)
        for controller in self._controllers:
            controller.stop()

    def wait_settled(self, timeout: float) -> bool:
        """Block until every change is handled and nothing is due within SETTLE_HORIZON; False on timeout.

        A settled cluster looks like one that has been up a while: device plugins have registered
        or are crash-looping, DaemonSet pods exist, nothing is half-started.
        """
        return self._settled.wait(timeout)

    def _resync(self) -> None:
        """Synthetic ADDED events for everything that exists, as informers start with a list."""
        for rt in RESOURCES:
            if rt is EVENT:
                continue
            items, _ = self._store.list(rt)
            for obj in items:
                self._dispatch("ADDED", rt.key, obj, None)

    def _dispatch(self, kind: str, resource: str, obj: Obj, old: Obj | None) -> None:
        for controller in self._controllers:
            if self._stopping.is_set():
                return
            try:
                controller.on_event(kind, resource, obj, old)
            except Exception:  # one controller's bug must not stop the others
                _log.exception("%s failed on %s %s", controller.__class__.__name__, kind, resource)

    def _run(self) -> None:
        self._resync()
        while not self._stopping.is_set():
            try:
                wait, foreground = self._clock.run_due()
            except Exception:
                _log.exception("timer callback failed")
                continue
            timeout = _MAX_WAIT if wait is None else min(wait, _MAX_WAIT)
            assert self._watch is not None
            try:
                entry = self._watch.next(timeout)
            except ApiError:  # 410 Gone after a compaction: start over from a fresh list
                self._watch = self._store.watch(None)
                self._resync()
                continue
            if entry is None:
                quiet = foreground is None or foreground > SETTLE_HORIZON * self._clock.time_scale
                if quiet:
                    self._settled.set()
                else:
                    self._settled.clear()
                continue
            if entry[2] is None or entry[2].resource != LEASE.key:
                self._settled.clear()  # a Lease renewal is a heartbeat, not work under way
            if entry[2] is None or entry[2].resource == EVENT.key:
                continue
            event = entry[2]
            self._dispatch(event.type, event.resource, event.obj, event.old)
