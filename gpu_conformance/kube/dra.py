"""Dynamic Resource Allocation from the API: the resource.k8s.io versions served, DeviceClasses, the ResourceSlices
of NVIDIA's DRA driver, and its kubelet-plugin pods whatever installed them.

resource.k8s.io is read in the newest supported version served (v1 from Kubernetes 1.34, v1beta2 in 1.33,
v1beta1 in 1.32) as plain JSON; facts/dra.py reads both Device shapes. The kubelet plugin is found by what every
install of kubernetes-sigs/dra-driver-nvidia-gpu shares: a DaemonSet named ``...kubelet-plugin`` whose pods run
the driver's image (Helm chart nvidia-dra-driver-gpu, GPU Operator) or carry the chart's name label.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from gpu_conformance.facts.cluster import PluginDaemonSet, PluginPod
from gpu_conformance.facts.dra import DRA_GROUP, DraFacts, read_slices, spoken_version
from gpu_conformance.facts.gpu_nodes import DraSignals

from . import logs
from .client import Connection
from .errors import denial
from .plugin import pod_facts, required_terms

CHART_NAME = "nvidia-dra-driver-gpu"  # the Helm chart's app.kubernetes.io/name
IMAGE_MARKS = ("k8s-dra-driver-gpu", "dra-driver-nvidia-gpu", "k8s-dra-driver")  # the driver's image repositories
KUBELET_PLUGIN = "kubelet-plugin"
GPU_CONTAINER = "gpus"  # the kubelet plugin's container serving GPUs (beside compute-domains) from v25.8


def served_versions(conn: Connection) -> tuple[str, ...]:
    """The resource.k8s.io versions the API serves (API discovery), preferred first; () when the group is absent."""
    groups = client.ApisApi(conn.api_client).get_api_versions().groups or []
    group = next((g for g in groups if g.name == DRA_GROUP), None)
    return tuple(v.version for v in group.versions or ()) if group is not None else ()


def _list(conn: Connection, version: str, plural: str) -> list[dict[str, Any]]:
    answer = client.CustomObjectsApi(conn.api_client).list_cluster_custom_object(DRA_GROUP, version, plural)
    return list(answer.get("items") or [])


def _source(version: str, plural: str) -> str:
    return f"GET /apis/{DRA_GROUP}/{version}/{plural}"


def is_kubelet_plugin(daemonset: Any) -> bool:
    """Whether a DaemonSet is NVIDIA's DRA kubelet plugin (not the device plugin, not a ComputeDomain daemon)."""
    template = daemonset.spec.template
    labels = dict(template.metadata.labels or {}) if template.metadata else {}
    images = [str(c.image or "") for c in template.spec.containers]
    ours = labels.get("app.kubernetes.io/name") == CHART_NAME or any(m in i for m in IMAGE_MARKS for i in images)
    return ours and KUBELET_PLUGIN in daemonset.metadata.name


def _container(pod: Any) -> str:
    names = [c.name for c in pod.spec.containers]
    return GPU_CONTAINER if GPU_CONTAINER in names else names[0]


def _daemonset_facts(daemonset: Any) -> PluginDaemonSet:
    status = daemonset.status
    containers = daemonset.spec.template.spec.containers
    image = next((c.image for c in containers if c.name == GPU_CONTAINER), containers[0].image)
    spec = daemonset.spec.template.spec
    return PluginDaemonSet(
        namespace=daemonset.metadata.namespace, name=daemonset.metadata.name,
        desired=int(status.desired_number_scheduled or 0) if status else 0,
        ready=int(status.number_ready or 0) if status else 0, image=str(image or ""),
        node_selector=tuple(sorted((spec.node_selector or {}).items())), affinity_terms=required_terms(spec.affinity),
    )


def _kubelet_plugins(conn: Connection) -> tuple[list[Any], list[Any]]:
    """The kubelet-plugin DaemonSets and their pods (sorted by node, then name)."""
    daemonsets = [d for d in conn.apps.list_daemon_set_for_all_namespaces().items if is_kubelet_plugin(d)]
    pods: list[Any] = []
    for daemonset in daemonsets:
        selector = ",".join(f"{k}={v}" for k, v in (daemonset.spec.selector.match_labels or {}).items())
        listed = conn.core.list_namespaced_pod(daemonset.metadata.namespace, label_selector=selector).items
        pods += [p for p in listed if any(r.uid == daemonset.metadata.uid for r in p.metadata.owner_references or [])]
    return daemonsets, sorted(pods, key=lambda p: (p.spec.node_name or "", p.metadata.name))


def dra_signals(conn: Connection) -> DraSignals:
    """What DRA shows of the nodes, for finding GPU nodes and resolving --gpu-request at session start.

    A refusal (RBAC) is a signal less, said in ``unreadable``: the DRA checks themselves say "could not inspect".
    """
    version = spoken_version(_tolerating(lambda: served_versions(conn), ()))
    if version is None:
        return DraSignals()
    unreadable: list[str] = []
    contents = read_slices(_tolerating(lambda: _list(conn, version, "resourceslices"), [], unreadable))
    _, pods = _tolerating(lambda: _kubelet_plugins(conn), ([], []), unreadable)
    return DraSignals(
        version=version, slices=sum(len(p.slices) for p in contents.pools),
        devices={node: len(devices) for node, devices in contents.by_node.items() if node},
        plugin_pods={p.spec.node_name: f"{p.metadata.namespace}/{p.metadata.name}" for p in pods if p.spec.node_name},
        unreadable="; ".join(unreadable),
    )


def _tolerating(call: Any, fallback: Any, unreadable: list[str] | None = None) -> Any:
    """``call()``, or ``fallback`` when the API refuses it (RBAC; the refusal noted) or does not serve it (404)."""
    try:
        return call()
    except ApiException as err:
        refused = denial(err)
        if refused is None and err.status != 404:
            raise
        if refused is not None and unreadable is not None:
            unreadable.append(str(refused))
        return fallback


def gather_dra(conn: Connection, checked_nodes: Iterable[str]) -> DraFacts:
    """Everything the DRA checks judge, read once per run; a refusal (RBAC) raises, for permissions_as_facts."""
    served = served_versions(conn)
    version = spoken_version(served)
    if version is None:
        return DraFacts(served, None, (), {}, (), source=f"GET /apis/{DRA_GROUP}")
    classes = tuple(sorted(str(c["metadata"]["name"]) for c in _list(conn, version, "deviceclasses")))
    contents = read_slices(_list(conn, version, "resourceslices"))
    daemonsets, pods = _kubelet_plugins(conn)
    checked = set(checked_nodes)
    plugin_pods: list[PluginPod] = logs.map_bounded(lambda pod: pod_facts(conn.core, pod, _container(pod), checked),
                                                    pods)
    return DraFacts(
        served_versions=served, version=version, device_classes=classes, devices_by_node=contents.by_node,
        pools=contents.pools, plugin_daemonsets=tuple(_daemonset_facts(d) for d in daemonsets),
        plugin_pods=tuple(plugin_pods), source=_source(version, "resourceslices"),
    )
