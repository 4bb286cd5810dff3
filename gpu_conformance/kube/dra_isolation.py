"""DRA-SECURE-ACCESS's gathering: per GPU node, a pod whose ``holder`` container uses a ResourceClaim made from a
one-GPU template (its ``bystander`` container does not), and a pod without a claim; all print what they see
(``gpu-conformance sees``), with the SEC-* checks' machinery (kube/isolation.py: one watch per kind of pod, holders
released once read). The claim is read while the holder still holds it: its allocated device is what the holder
must see. A node whose every GPU other claims hold gets no claiming pod (its looks say why).
"""

from __future__ import annotations

from gpu_conformance.facts.dra import DraFacts
from gpu_conformance.facts.dra_isolation import DraIsolation
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.isolation import Look
from gpu_conformance.facts.unavailable import FactsUnavailable

from ..settings import Settings
from . import logs
from .client import Connection
from .dra_workload import ClaimRead, busy_nodes, claim_name, make_templates, read_claim
from .isolation import Key, Planned, Seen, look_all
from .isolation_pods import BYSTANDER, DRA_CLAIMED, DRA_UNCLAIMED, HOLDS, IMAGE_ENV
from .namespace import ensure_namespace
from .pod_state import node_of
from .run import RunContext
from .workload import UNSCHEDULABLE_GRACE_SECONDS, RuntimeClasses

NodeDraLooks = DraIsolation | FactsUnavailable
ASKED = {
    HOLDS: "uses the pod's ResourceClaim of 1 GPU (DeviceClass gpu.nvidia.com)",
    BYSTANDER: "no resources.claims, beside a container using the pod's claim",
    IMAGE_ENV: "a pod without a ResourceClaim, NVIDIA_VISIBLE_DEVICES=all only from the image",
}


def _plan(settings: Settings, dra: DraFacts, nodes: list[GpuNode], run: RunContext,
          conn: Connection) -> list[Planned]:
    busy = {node: outcome.detail for node, outcome in busy_nodes(conn, settings, dra, nodes).items()}
    templates, troubles = make_templates(conn, settings, dra, [n for n in nodes if n.name not in busy], run,
                                         DRA_CLAIMED)
    why = {**busy, **{node: str(trouble) for node, trouble in troubles.items()}}
    return [plan for node in nodes for plan in (
        Planned(DRA_UNCLAIMED, node),
        Planned(DRA_CLAIMED, node, why.get(node.name), templates.get(node.name)))]


def _read_claims(conn: Connection, settings: Settings, version: str, run: RunContext) -> dict[str, ClaimRead]:
    """Node -> its claiming pod's claim (one pod list, then the claims at once)."""
    pods = conn.core.list_namespaced_pod(settings.namespace, label_selector=run.selector(DRA_CLAIMED)).items
    named = [(node, name) for pod in pods
             if (node := node_of(pod)) and (name := claim_name(pod))]
    reads = logs.map_bounded(lambda n: read_claim(conn, version, settings.namespace, n[1]), named)
    return {node: read for (node, _), read in zip(named, reads, strict=True)}


def gather_dra_isolation(conn: Connection, settings: Settings, dra: DraFacts, nodes: list[GpuNode], run: RunContext,
                         runtime_classes: RuntimeClasses | None = None, *,
                         unschedulable_grace: float = UNSCHEDULABLE_GRACE_SECONDS) -> dict[str, NodeDraLooks]:
    """Every node's DRA isolation pods at once; each node's looks and its holder's claim."""
    if not nodes:
        return {}
    if dra.version is None:
        return {n.name: FactsUnavailable("resource.k8s.io is not served in a supported version: see DRA-API")
                for n in nodes}
    version = dra.version
    ensure_namespace(conn, settings.namespace, run)
    planned = _plan(settings, dra, nodes, run, conn)
    claims: dict[str, ClaimRead] = {}
    found = look_all(conn, settings, run, runtime_classes or {}, planned, unschedulable_grace,
                     lambda: claims.update(_read_claims(conn, settings, version, run)))
    return {n.name: _node(settings, run, n, found, claims.get(n.name)) for n in nodes}


def _node(settings: Settings, run: RunContext, node: GpuNode, found: dict[Key, Seen],
          claim: ClaimRead | None) -> DraIsolation:
    def look(component: str, container: str) -> Look:
        view, problem, log = found[node.name, component, container]
        pod = f"{settings.namespace}/{run.object_name(component, node.name)}"
        return Look(f"pod {pod} container {container} on node {node.name}", ASKED[container], view, problem, log)

    allocation, problem = claim or (None, "the claiming pod named no claim in status.resourceClaimStatuses")
    return DraIsolation(node.name, look(DRA_CLAIMED, HOLDS), look(DRA_CLAIMED, BYSTANDER),
                        look(DRA_UNCLAIMED, IMAGE_ENV), allocation, problem)
