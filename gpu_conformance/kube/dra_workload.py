"""DRA-VECTORADD's gathering: the tutorial's vectoradd Job on every GPU node at once, its GPU claimed through a
ResourceClaimTemplate made per node in the suite's namespace, and each pod's claim read as soon as the pod is bound.

The claim is read while the pod runs, not after: the ResourceClaim controller deletes a claim made from a template
once its pod is done (kubernetes pkg/controller/resourceclaim/controller.go, syncClaim), and vectoradd is done in a
moment. The scheduler allocates the claim before it binds the pod, so a pod with a node has an allocated claim.

GPUs held by others: a node whose every whole GPU published in ResourceSlices is allocated to some claim gets no
Job, as WORKLOAD-VECTORADD skips a node whose extended resources are all held. Templates and claims carry the run's
labels (the template's ``spec.metadata`` passes them to its claims), so the run's cleanup deletes them with its pods.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.cluster import WorkloadOutcome
from gpu_conformance.facts.dra import DRA_DRIVER, DRA_GROUP, DraFacts
from gpu_conformance.facts.dra_workload import ClaimAllocation, DraWorkload, read_allocation
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable

from ..gpu_request import CLAIM, CLASS_KIND, claim_template, device_class_for
from ..settings import Settings
from . import logs
from .api_trouble import ApiUnavailable
from .client import Connection
from .errors import api_message, denial, one_line
from .namespace import ensure_namespace
from .retry import budget_of, create_retrying
from .run import RunContext
from .workload import GpuAsk, RuntimeClasses, run_vectoradd

COMPONENT = "vectoradd-dra"
NodeDraWorkload = DraWorkload | FactsUnavailable


def _claims_path(version: str, namespace: str | None = None) -> str:
    where = f"namespaces/{namespace}/" if namespace else ""
    return f"/apis/{DRA_GROUP}/{version}/{where}resourceclaims"


def busy_nodes(conn: Connection, settings: Settings, dra: DraFacts, nodes: list[GpuNode]) -> dict[str, WorkloadOutcome]:
    """Nodes whose every whole GPU in the driver's slices is allocated to a claim (one list of all claims)."""
    assert dra.version is not None
    listed = client.CustomObjectsApi(conn.api_client).list_cluster_custom_object(DRA_GROUP, dra.version,
                                                                                  "resourceclaims")
    holders: dict[tuple[str, str], str] = {}
    for raw in listed.get("items") or []:
        claim = read_allocation(raw, "")
        holders.update({(d.pool, d.device): claim.claim for d in claim.devices if d.driver == DRA_DRIVER})
    busy = {}
    for node in nodes:
        devices = dra.devices_on(node.name)
        gpus = [d for d in devices if d.kind == CLASS_KIND[device_class_for(devices)]]
        held = sorted({holders[d.pool, d.name] for d in gpus if (d.pool, d.name) in holders})
        if gpus and all((d.pool, d.name) in holders for d in gpus):
            detail = (f"all {len(gpus)} GPUs of {node.name} in ResourceSlices are allocated to other claims "
                      f"({', '.join(held[:5])})")
            busy[node.name] = WorkloadOutcome(node.name, "gpus_busy", detail, settings.vectoradd_image, None, "", ())
    return busy


TemplateTrouble = str | FactsUnavailable  # the API refused the template (a failure), or could not be asked


def make_templates(conn: Connection, settings: Settings, dra: DraFacts, nodes: list[GpuNode], run: RunContext,
                   component: str) -> tuple[dict[str, str], dict[str, TemplateTrouble]]:
    """A one-GPU ResourceClaimTemplate per node (of the DeviceClass the node's devices need), labelled
    ``component``: (node -> its name, node -> why none was made); a permission denial raises."""
    assert dra.version is not None
    version = dra.version
    objects = client.CustomObjectsApi(conn.api_client)
    path = f"POST /apis/{DRA_GROUP}/{version}/namespaces/{settings.namespace}/resourceclaimtemplates"

    def make(node: GpuNode) -> TemplateTrouble | None:
        name = run.object_name(component, node.name)
        body = claim_template(version, name, settings.namespace, run.component_labels(component),
                              device_class_for(dra.devices_on(node.name)))
        what = f"ResourceClaimTemplate {settings.namespace}/{name}"
        try:
            create_retrying(lambda: objects.create_namespaced_custom_object(
                DRA_GROUP, version, settings.namespace, "resourceclaimtemplates", body),
                            path, budget_of(conn.api_client))
        except ApiException as err:
            if denial(err) is not None:
                raise
            if isinstance(err, ApiUnavailable):
                return FactsUnavailable(f"creating {what}: {err.message}")
            return f"creating {what} failed: {api_message(err)}"
        except (HTTPError, OSError) as err:
            return FactsUnavailable(f"creating {what}: {one_line(str(err), 200)}")
        return None

    made = logs.map_bounded(make, nodes)
    failed = {n.name: m for n, m in zip(nodes, made, strict=True) if m is not None}
    return {n.name: run.object_name(component, n.name) for n in nodes if n.name not in failed}, failed


ClaimRead = tuple[ClaimAllocation | None, str | None]  # the claim, or why it could not be read


def read_claim(conn: Connection, version: str, namespace: str, name: str) -> ClaimRead:
    """One ResourceClaim's allocation, or why it could not be read (a 404: deleted once its pod was done)."""
    source = f"GET {_claims_path(version, namespace)}/{name}"
    try:
        raw = client.CustomObjectsApi(conn.api_client).get_namespaced_custom_object(
            DRA_GROUP, version, namespace, "resourceclaims", name)
    except ApiException as err:
        refused = denial(err)
        if refused is not None:
            return None, str(refused)
        gone = " (deleted once its pod was done, before it could be read)" if err.status == 404 else ""
        return None, f"{source}: {api_message(err)}{gone}"
    except (HTTPError, OSError) as err:
        return None, f"{source}: {one_line(str(err), 200)}"
    return read_allocation(raw, source), None


def claim_name(pod: Any) -> str | None:
    """The claim made for the pod's ``gpu`` claim, from ``status.resourceClaimStatuses``."""
    statuses = (pod.status.resource_claim_statuses or []) if pod.status else []
    return next((s.resource_claim_name for s in statuses if s.name == CLAIM and s.resource_claim_name), None)


class _ClaimReader:
    """Reads each node's claim once, as soon as its pod is bound and names it."""

    def __init__(self, conn: Connection, version: str, namespace: str) -> None:
        self._conn, self._version, self._namespace = conn, version, namespace
        self._pool = logs.pool()
        self._reads: dict[str, Future[ClaimRead]] = {}
        self._lock = threading.Lock()

    def seen(self, node: str, pod: Any) -> None:
        name = claim_name(pod)
        if name is None or not pod.spec.node_name:
            return
        with self._lock:
            if node not in self._reads:
                self._reads[node] = self._pool.submit(read_claim, self._conn, self._version, self._namespace, name)

    def results(self) -> dict[str, ClaimRead]:
        with self._lock:
            reads = dict(self._reads)
        try:
            return {node: future.result() for node, future in reads.items()}
        finally:
            self._pool.shutdown(wait=False)


def run_dra_vectoradd(conn: Connection, settings: Settings, dra: DraFacts, nodes: list[GpuNode], run: RunContext,
                      runtime_classes: RuntimeClasses | None = None) -> dict[str, NodeDraWorkload]:
    """Every node's DRA vectoradd outcome with its claim, or why there is none."""
    if not nodes:
        return {}
    if dra.version is None:
        return {n.name: FactsUnavailable("resource.k8s.io is not served in a supported version: see DRA-API")
                for n in nodes}
    ensure_namespace(conn, settings.namespace, run)
    busy = busy_nodes(conn, settings, dra, nodes)
    templates, troubles = make_templates(conn, settings, dra, [n for n in nodes if n.name not in busy], run,
                                         COMPONENT)
    failed: dict[str, NodeDraWorkload] = {
        node: trouble if isinstance(trouble, FactsUnavailable) else DraWorkload(
            WorkloadOutcome(node, "failed", trouble, settings.vectoradd_image, None, "", ()))
        for node, trouble in troubles.items()}
    reader = _ClaimReader(conn, dra.version, settings.namespace)
    try:
        ran = run_vectoradd(conn, settings, [n for n in nodes if n.name not in failed], run, runtime_classes,
                            ask=GpuAsk(COMPONENT, templates), busy=busy, on_seen=reader.seen)
    finally:
        read = reader.results()
    claims: Mapping[str, ClaimRead] = defaultdict(lambda: (None, None), read)
    found: dict[str, NodeDraWorkload] = dict(failed)
    for name, outcome in ran.items():
        found[name] = outcome if isinstance(outcome, FactsUnavailable) else DraWorkload(outcome, *claims[name])
    return {n.name: found[n.name] for n in nodes}
