"""Where each GPU node's exporter is: the --exporter-url template filled with the node's InternalIP, or,
with --exporter-selector, with the IP of the matching exporter pod on that node (one pod list call)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kubernetes.client.exceptions import ApiException

from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.kube.client import Connection
from gpu_conformance.kube.errors import api_message
from gpu_conformance.monitoring.addresses import exporter_url
from gpu_conformance.settings import Settings


@dataclass(frozen=True)
class Target:
    """One node's exporter URL and where its address came from, or why there is none."""

    node: str
    url: str | None
    source: str  # "node k8s-node05 InternalIP 10.0.0.5", "pod monitoring/dcgm-exporter-x7k2p IP 10.244.1.7"
    missing: str | None = None  # the node's own fault: no exporter pod on it, the pod has no IP yet
    unavailable: str | None = None  # the suite could not look: no address, pods not listed, bad template


def _target(node: str, template: str, ip: str, source: str) -> Target:
    try:
        return Target(node, exporter_url(template, ip, node), source)
    except ValueError as exc:
        return Target(node, None, source, unavailable=str(exc))


def node_targets(nodes: Iterable[GpuNode], template: str) -> list[Target]:
    """The exporter of each node at the node's InternalIP (nvidia_gpu_exporter runs on the host)."""
    targets = []
    for node in nodes:
        source = f"node {node.name} InternalIP {node.internal_ip}"
        if node.internal_ip is None:
            targets.append(Target(node.name, None, f"node {node.name} status.addresses",
                                  unavailable="the node has no InternalIP address"))
        else:
            targets.append(_target(node.name, template, node.internal_ip, source))
    return targets


def _pod_rank(pod: Any) -> tuple[bool, bool]:
    """Running pods with an IP first: the one a Service would send a scrape to."""
    return pod.status.phase == "Running", bool(pod.status.pod_ip)


def pod_targets(nodes: Iterable[GpuNode], template: str, pods: Sequence[Any], selector: str) -> list[Target]:
    """The exporter pod on each node (typed V1Pod objects matching ``selector``), scraped at its pod IP."""
    by_node: dict[str, list[Any]] = {}
    for pod in pods:
        by_node.setdefault(pod.spec.node_name or "", []).append(pod)
    targets = []
    for node in nodes:
        found = sorted(by_node.get(node.name, []), key=_pod_rank, reverse=True)
        if not found:
            targets.append(Target(node.name, None, f"pods with label selector {selector} in all namespaces",
                                  missing=f"no pod matching {selector} on node {node.name}"))
            continue
        pod = found[0]
        name = f"{pod.metadata.namespace}/{pod.metadata.name}"
        if not pod.status.pod_ip:
            targets.append(Target(node.name, None, f"pod {name} on node {node.name}",
                                  missing=f"pod {name} is {pod.status.phase} without a pod IP"))
            continue
        source = f"pod {name} IP {pod.status.pod_ip} ({selector})"
        targets.append(_target(node.name, template, str(pod.status.pod_ip), source))
    return targets


def exporter_targets(nodes: Sequence[GpuNode], settings: Settings,
                     connection: Connection | None = None) -> list[Target]:
    """Each node's target per the settings; with --exporter-selector, ``connection`` lists the pods."""
    selector = settings.exporter_selector
    if not selector:
        return node_targets(nodes, settings.exporter_url)
    if connection is None:
        raise ValueError("--exporter-selector needs a connection to list the exporter pods")
    try:
        pods = connection.core.list_pod_for_all_namespaces(label_selector=selector).items
    except ApiException as err:
        why = f"could not list pods with --exporter-selector {selector!r}: {api_message(err)}"
        return [Target(n.name, None, f"pods in all namespaces at {connection.server}", unavailable=why)
                for n in nodes]
    return pod_targets(nodes, settings.exporter_url, pods, selector)
