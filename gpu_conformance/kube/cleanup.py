"""Removing what a run created: its pods, Jobs, ResourceClaimTemplates and ResourceClaims and Lease, or the
namespace with all of them when the last run leaves it.

Jobs are deleted with propagationPolicy Background: without it their pods stay. The resource.k8s.io kinds are
deleted in the version the suite speaks, where the cluster serves one (one discovery call). Deletions are
collections by label (one call per kind), so cleanup costs the same for 2 nodes or 2000. What runs
killed outright left is removed by the next run (leftovers.py).
"""

from __future__ import annotations

from collections.abc import Callable

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.dra import DRA_GROUP, spoken_version

from ..settings import Settings
from .client import Connection
from .dra import served_versions
from .errors import api_message, one_line
from .run import MANAGED_BY, MANAGER, RUN_ID, RunContext

MANAGED = f"{MANAGED_BY}={MANAGER}"


def delete_by_selector(conn: Connection, namespace: str, selector: str) -> list[str]:
    """Delete the Jobs (Background), pods and Leases matching ``selector``; problems as one-liners."""

    def jobs() -> None:
        conn.batch.delete_collection_namespaced_job(
            namespace, label_selector=selector, propagation_policy="Background"
        )

    def pods() -> None:
        conn.core.delete_collection_namespaced_pod(namespace, label_selector=selector)

    def leases() -> None:
        client.CoordinationV1Api(conn.api_client).delete_collection_namespaced_lease(namespace,
                                                                                     label_selector=selector)

    def dra_kinds() -> None:
        version = spoken_version(served_versions(conn))
        objects = client.CustomObjectsApi(conn.api_client)
        for plural in ("resourceclaimtemplates", "resourceclaims") if version else ():
            objects.delete_collection_namespaced_custom_object(DRA_GROUP, version, namespace, plural,
                                                               label_selector=selector)

    calls: tuple[tuple[str, Callable[[], None]], ...] = (
        ("Jobs", jobs), ("pods", pods), ("ResourceClaimTemplates and ResourceClaims", dra_kinds), ("Leases", leases))
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

    When the suite made the namespace (this run or an earlier one: it carries the suite's label) and no other
    run has a Lease or a pod in it, the last run out deletes the namespace, and with it all it holds: one call
    instead of one per kind. Otherwise (or should that deletion fail) this run's objects go by label, kind by
    kind. A run starting in the instant between that look and the deletion loses its namespace; its checks then
    say they could not inspect, and the next run starts afresh.
    """
    if settings.keep_resources:
        return []
    problems: list[str] = []
    try:
        if (run.created_namespace or _made_by_suite(conn, settings.namespace)) and not _others_in(
                conn, settings.namespace, run):
            conn.core.delete_namespace(settings.namespace)
            return []
    except ApiException as err:
        if err.status == 404:
            return []
        problems.append(f"deleting namespace {settings.namespace}: {api_message(err)}")
    return delete_by_selector(conn, settings.namespace, f"{MANAGED},{RUN_ID}={run.run_id}") + problems


def _made_by_suite(conn: Connection, namespace: str) -> bool:
    try:
        labels = conn.core.read_namespace(namespace).metadata.labels or {}
    except ApiException:
        return False  # gone, or not ours to read: not ours to delete either
    return bool(labels.get(MANAGED_BY) == MANAGER)


def _others_in(conn: Connection, namespace: str, run: RunContext) -> bool:
    others = f"{MANAGED},{RUN_ID}!={run.run_id}"
    leases = client.CoordinationV1Api(conn.api_client).list_namespaced_lease(namespace, label_selector=others)
    return bool(leases.items) or bool(conn.core.list_namespaced_pod(namespace, label_selector=others).items)
