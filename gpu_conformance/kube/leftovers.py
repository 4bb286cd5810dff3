"""What dead runs left (pods, Jobs, their Lease), removed as soon as their heartbeat has stopped.

A run is dead when its Lease (heartbeat.py) was last renewed longer ago than its ``leaseDurationSeconds``,
or when it has objects but no Lease and the youngest of them is older than LEASE_SECONDS: a run makes
its Lease before anything else, so only objects that young may be those of a run whose Lease appeared
after this run listed the Leases. Live runs' objects are never touched. One call per kind removes every
dead run's objects, whatever their number.

A run starting beside others first settles who is alive: it waits until each other run's Lease has been
renewed (alive: at most one renewal, two seconds) or has run out (dead: at most LEASE_SECONDS, and its
objects are removed then), so what a just-killed run left, the GPUs its pods held included, is gone
before this run creates anything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kubernetes import client

from .cleanup import MANAGED, delete_by_selector
from .client import Connection
from .run import LEASE_SECONDS, RUN_ID

POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Beat:
    """A run's Lease as listed: when it was last renewed, and for how long that holds."""

    run_id: str
    renewed: datetime
    seconds: float


@dataclass(frozen=True)
class Left:
    """One of the suite's pods or Jobs as listed."""

    kind: str
    name: str
    run_id: str
    created: datetime


@dataclass(frozen=True)
class Verdict:
    dead: dict[str, str]  # run id -> why it is taken for dead
    recheck_at: datetime | None  # when objects of no Lease, now too young to judge, come of age


def judge(beats: list[Beat], objects: list[Left], own: str, now: datetime) -> Verdict:
    """Which runs other than ``own`` are dead, and when to look again at those that cannot be judged yet."""
    grace = timedelta(seconds=LEASE_SECONDS)
    dead = {b.run_id: f"its heartbeat stopped {(now - b.renewed).total_seconds():.0f} s ago"
            for b in beats if b.run_id != own and b.renewed + timedelta(seconds=b.seconds) < now}
    with_lease = {b.run_id for b in beats} | {own}
    youngest: dict[str, datetime] = {}
    for obj in objects:
        if obj.run_id not in with_lease:
            youngest[obj.run_id] = max(obj.created, youngest.get(obj.run_id, obj.created))
    waiting = []
    for run_id, created in youngest.items():
        if created + grace < now:
            dead[run_id] = "it has no heartbeat"
        else:
            waiting.append(created + grace)
    return Verdict(dead, min(waiting, default=None))


def _utc(stamp: datetime) -> datetime:
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


class Leftovers:
    """Finds dead runs in ``namespace`` and removes what they left; ``removed`` and ``problems`` say so."""

    def __init__(self, conn: Connection, namespace: str, own_run_id: str) -> None:
        self._conn, self._namespace, self._own = conn, namespace, own_run_id
        self._leases = client.CoordinationV1Api(conn.api_client)
        self._recheck_at: datetime | None = None
        self.removed: list[str] = []
        self.problems: list[str] = []

    def sweep(self) -> list[Beat]:
        """List Leases, then pods and Jobs (in that order: see the module's docstring); remove the dead runs'.

        Returns the Leases listed."""
        beats = self._beats()
        objects = self._objects()
        verdict = judge(beats, objects, self._own, datetime.now(UTC))
        self._recheck_at = verdict.recheck_at
        if verdict.dead:
            self._remove(verdict.dead, objects)
        return beats

    def settle(self, limit: float = LEASE_SECONDS + 2.0) -> None:
        """Sweep, then wait until every other run seen has renewed its Lease or been removed as dead, and objects
        of no Lease have come of age and gone (at most ``limit`` seconds)."""
        unknown = {b.run_id: b.renewed for b in self.sweep() if b.run_id != self._own}
        deadline = time.monotonic() + limit
        while (unknown or self._recheck_at is not None) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            self.sweep_when_due()
            now = {b.run_id: b.renewed for b in self._beats()}
            unknown = {run_id: renewed for run_id, renewed in unknown.items() if now.get(run_id) == renewed}

    def sweep_when_due(self) -> None:
        """At each heartbeat: one list of Leases; the full sweep only when a Lease ran out or objects came of age."""
        now = datetime.now(UTC)
        due = self._recheck_at is not None and self._recheck_at <= now
        if due or judge(self._beats(), [], self._own, now).dead:
            self.sweep()

    def _beats(self) -> list[Beat]:
        leases = self._leases.list_namespaced_lease(self._namespace, label_selector=MANAGED).items
        return [Beat(run_id, _utc(lease.spec.renew_time), float(lease.spec.lease_duration_seconds or 0))
                for lease in leases
                if (run_id := (lease.metadata.labels or {}).get(RUN_ID)) and lease.spec.renew_time]

    def _objects(self) -> list[Left]:
        jobs = self._conn.batch.list_namespaced_job(self._namespace, label_selector=MANAGED).items
        pods = self._conn.core.list_namespaced_pod(self._namespace, label_selector=MANAGED).items
        return [Left(kind, obj.metadata.name, run_id, _utc(obj.metadata.creation_timestamp))
                for kind, items in (("Job", jobs), ("Pod", pods)) for obj in items
                if (run_id := (obj.metadata.labels or {}).get(RUN_ID))]

    def _remove(self, dead: dict[str, str], objects: list[Left]) -> None:
        self.problems += delete_by_selector(self._conn, self._namespace,
                                            f"{MANAGED},{RUN_ID} in ({','.join(sorted(dead))})")
        for run_id, why in sorted(dead.items()):
            left = [f"{o.kind} {self._namespace}/{o.name}" for o in objects if o.run_id == run_id]
            self.removed.append(f"run {run_id} is dead ({why}): removed {len(left)} object(s) it left")
            self.removed += [f"removed leftover of an earlier run: {entry}" for entry in left]
