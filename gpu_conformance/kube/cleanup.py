"""Removing what a run created, and what killed earlier runs left behind.

Jobs are deleted with propagationPolicy Background: without it their pods stay. Deletions are
collections by label (one call per kind), so cleanup costs the same for 2 nodes or 2000.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from ..settings import Settings
from .client import Connection
from .errors import api_message, one_line
from .run import MANAGED_BY, MANAGER, RUN_ID, RunContext

MANAGED = f"{MANAGED_BY}={MANAGER}"


def _delete_by_selector(conn: Connection, namespace: str, selector: str) -> list[str]:
    """Delete the run's Jobs (Background) and pods matching ``selector``; problems as one-liners."""

    def jobs() -> None:
        conn.batch.delete_collection_namespaced_job(
            namespace, label_selector=selector, propagation_policy="Background"
        )

    def pods() -> None:
        conn.core.delete_collection_namespaced_pod(namespace, label_selector=selector)

    calls: tuple[tuple[str, Callable[[], None]], ...] = (("Jobs", jobs), ("pods", pods))
    problems = []
    for kind, call in calls:
        try:
            call()
        except ApiException as err:
            if err.status != 404:
                problems.append(f"deleting {kind} {selector} in {namespace}: {api_message(err)}")
        except (HTTPError, OSError) as err:
            problems.append(f"deleting {kind} {selector} in {namespace}: {one_line(str(err), 200)}")
    return problems


def cleanup(conn: Connection, settings: Settings, run: RunContext) -> list[str]:
    """Delete everything of this run (nothing with --keep-resources); returns problems, never raises for them.

    The namespace goes too when this run created it and no other run of the suite has objects in it.
    """
    if settings.keep_resources:
        return []
    problems = _delete_by_selector(conn, settings.namespace, f"{MANAGED},{RUN_ID}={run.run_id}")
    if run.created_namespace and not problems:
        try:
            if not _others_in(conn, settings.namespace, run):
                conn.core.delete_namespace(settings.namespace)
        except ApiException as err:
            if err.status != 404:
                problems.append(f"deleting namespace {settings.namespace}: {api_message(err)}")
    return problems


def _others_in(conn: Connection, namespace: str, run: RunContext) -> bool:
    pods = conn.core.list_namespaced_pod(namespace, label_selector=f"{MANAGED},{RUN_ID}!={run.run_id}")
    return bool(pods.items)


def _created(obj: Any) -> datetime:
    stamp: datetime = obj.metadata.creation_timestamp
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def remove_leftovers(conn: Connection, settings: Settings, run: RunContext | None = None) -> list[str]:
    """Delete the suite's Jobs and pods of other runs older than 2 x --pod-timeout (a run that was killed).

    Younger ones may belong to a run still going. Returns "<kind> <namespace>/<name>" of what was
    deleted, then any problems. Does nothing with --keep-resources.
    """
    if settings.keep_resources:
        return []
    cutoff = datetime.now(UTC) - timedelta(seconds=2 * settings.timeout)
    own = run.run_id if run else None
    stale: dict[str, list[str]] = {}  # run id -> what it left
    jobs = conn.batch.list_namespaced_job(settings.namespace, label_selector=MANAGED).items
    pods = conn.core.list_namespaced_pod(settings.namespace, label_selector=MANAGED).items
    for kind, items in (("Job", jobs), ("Pod", pods)):
        for obj in items:
            run_id = (obj.metadata.labels or {}).get(RUN_ID)
            if run_id and run_id != own and _created(obj) < cutoff:
                stale.setdefault(run_id, []).append(f"{kind} {settings.namespace}/{obj.metadata.name}")
    if not stale:
        return []
    selector = f"{MANAGED},{RUN_ID} in ({','.join(sorted(stale))})"
    removed = [entry for entries in stale.values() for entry in entries]
    return removed + _delete_by_selector(conn, settings.namespace, selector)
