"""The kubelets' heartbeats: each renews its node's Lease and, now and then, posts its node status.

A kubelet renews its Lease every quarter of ``nodeLeaseDurationSeconds`` (40 s: every 10 s) and
posts an unchanged node status every ``nodeStatusReportFrequency`` (5 min). A scenario's shorter
node-monitor grace period comes with a shorter lease, as a cluster tuned that way configures its
kubelets, so healthy nodes never look stale. A node whose kubelet stops (``kubeletStopsAfterSeconds``)
stops both, and runs nothing new.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from ..errors import ApiError
from ..model import Scenario
from ..resources import LEASE, NODE
from ..store import Obj, now_rfc3339
from .base import Context

LEASE_NAMESPACE = "kube-node-lease"
DEFAULT_LEASE_SECONDS = 40  # kubelet nodeLeaseDurationSeconds
STATUS_REPORT_SECONDS = 300.0  # kubelet nodeStatusReportFrequency
DEFAULT_MONITOR_PERIOD = 5.0  # kube-controller-manager --node-monitor-period


@dataclass(frozen=True)
class Timing:
    lease_seconds: int  # the Lease's leaseDurationSeconds
    renew_every: float  # the kubelet's renewal interval
    monitor_every: float  # how often the node lifecycle controller looks


def timing(scenario: Scenario) -> Timing:
    grace = scenario.node_monitor_grace_seconds
    lease = max(1, min(DEFAULT_LEASE_SECONDS, int(grace)))
    return Timing(lease_seconds=lease, renew_every=lease / 4, monitor_every=min(DEFAULT_MONITOR_PERIOD, grace / 4))


def micro_time() -> str:
    """A Lease's MicroTime, as the kubelet writes renewTime."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Heartbeats:
    """Every live kubelet's Lease renewals and node-status posts; ``on_stop`` hears of a kubelet stopping."""

    def __init__(self, ctx: Context, on_stop: Callable[[str], None]) -> None:
        self._ctx = ctx
        self._timing = timing(ctx.scenario)
        self._stopped: set[str] = set()
        self._on_stop = on_stop
        for node in ctx.scenario.nodes:
            if not node.ready:
                continue
            self._renew_later(node.name)
            ctx.clock.after(STATUS_REPORT_SECONDS, self._report(node.name), background=True)
            if node.kubelet_stops_after is not None:
                ctx.clock.after(node.kubelet_stops_after, self._stop(node.name))

    def on_event(self, type: str, resource: str, obj: Obj, old: Obj | None) -> None:
        """Heartbeats follow the clock, not the store."""

    def stop(self) -> None:
        """Timers die with the manager."""

    def _renew_later(self, node: str) -> None:
        self._ctx.clock.after(self._timing.renew_every, lambda: self._renew(node), background=True)

    def _renew(self, node: str) -> None:
        if node in self._stopped:
            return

        def apply(lease: Obj) -> None:
            lease.setdefault("spec", {})["renewTime"] = micro_time()

        with contextlib.suppress(ApiError):  # someone deleted it: a real kubelet would recreate it
            self._ctx.store.update(LEASE, LEASE_NAMESPACE, node, apply)
        self._renew_later(node)

    def _report(self, node: str) -> Callable[[], None]:
        def post() -> None:
            if node in self._stopped:
                return
            now = now_rfc3339()

            def apply(obj: Obj) -> None:
                for condition in obj.get("status", {}).get("conditions") or []:
                    condition["lastHeartbeatTime"] = now

            try:
                self._ctx.store.update(NODE, "", node, apply)
            except ApiError:
                return
            self._ctx.clock.after(STATUS_REPORT_SECONDS, post, background=True)

        return post

    def _stop(self, node: str) -> Callable[[], None]:
        def stop() -> None:
            self._stopped.add(node)
            self._on_stop(node)

        return stop
