"""Turns a scenario's ground truth into the API objects a fresh cluster starts with.

Nodes carry no GPU capacity here: it appears when a device plugin registers (see
``controllers/devices.py``). Default ServiceAccounts come from the namespace controllers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .controllers.heartbeat import LEASE_NAMESPACE, micro_time, timing
from .controllers.node_lifecycle import STOPPED_MESSAGE, unreachable_taints
from .controllers.quantity import parse_quantity
from .dra_driver_manifests import dra_driver_objects
from .model import NodeSpec, Scenario
from .namespaces import ensure_namespace
from .plugin_manifests import NFD_NVIDIA, plugin_objects
from .rbac.bootstrap import cluster_role_bindings, cluster_roles
from .resources import CLUSTERROLE, CLUSTERROLEBINDING, LEASE, NODE, RUNTIMECLASS, SERVICE, STORAGECLASS
from .store import Obj, Store, now_rfc3339
from .workloads import create_workloads

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_EVICTION_HARD_MEMORY_KI = 100 * 1024
_SILENT_FOR = 300  # seconds since a node NotReady from the start last renewed its Lease and posted status
_RFC3339 = "%Y-%m-%dT%H:%M:%SZ"
_OPERATOR_DEPLOY = (
    "driver",
    "gpu-feature-discovery",
    "container-toolkit",
    "device-plugin",
    "dcgm",
    "dcgm-exporter",
    "node-status-exporter",
    "operator-validator",
)


def _silent_since() -> datetime:
    return datetime.now(UTC) - timedelta(seconds=_SILENT_FOR)


def _condition(type: str, status: str, reason: str, message: str, now: str,
               heartbeat: str | None = None) -> dict[str, Any]:
    return {
        "type": type,
        "status": status,
        "lastHeartbeatTime": heartbeat or now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _conditions(node: NodeSpec, now: str) -> list[dict[str, Any]]:
    if not node.ready:  # a kubelet that stopped posting status, as the node lifecycle controller reports it
        return [
            _condition(t, "Unknown", "NodeStatusUnknown", STOPPED_MESSAGE, now, _silent_since().strftime(_RFC3339))
            for t in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")
        ]
    return [
        _condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            now,
        ),
        _condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
        _condition(
            "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now
        ),
        _condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now),
    ]


def gke_accelerator(name: str) -> str:
    """GKE's accelerator label value for a product name ("Tesla T4" -> "nvidia-tesla-t4")."""
    words = name.lower().replace("nvidia ", "").split("-")[0].split()
    return "nvidia-" + "-".join(words)


def _node_labels(node: NodeSpec, scenario: Scenario) -> dict[str, str]:
    labels = {
        "beta.kubernetes.io/arch": node.architecture,
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": node.architecture,
        "kubernetes.io/hostname": node.name,
        "kubernetes.io/os": "linux",
    }
    labels.update({f"node-role.kubernetes.io/{role}": "" for role in node.roles})
    style, gpu = scenario.device_plugin.style, node.has_gpus
    nfd = style == "gpu-operator" or (style == "helm" and scenario.device_plugin.gfd) or scenario.dra_driver is not None
    if gpu and nfd:
        labels[NFD_NVIDIA] = "true"  # Node Feature Discovery, deployed with the chart or the operator
    if gpu and style == "gpu-operator":
        labels["nvidia.com/gpu.present"] = "true"
        labels.update({f"nvidia.com/gpu.deploy.{part}": "true" for part in _OPERATOR_DEPLOY})
    if gpu and style == "gke":
        labels["cloud.google.com/gke-accelerator"] = gke_accelerator(node.gpus[0].name)
    labels.update(dict(node.labels))
    return labels


def _node(node: NodeSpec, index: int, scenario: Scenario, now: str) -> Obj:
    taints = [
        {"key": t.key, "value": t.value, "effect": t.effect}
        if t.value
        else {"key": t.key, "effect": t.effect}
        for t in node.taints
    ]
    if not node.ready:
        taints += unreachable_taints(now)
    if node.unschedulable:
        taints.append({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": now})
    memory_ki = int(parse_quantity(node.memory) / 1024)
    capacity = {
        "cpu": node.cpu,
        "ephemeral-storage": "102626232Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{memory_ki}Ki",
        "pods": node.pods,
    }
    allocatable = {
        **capacity,
        "ephemeral-storage": "94580335255",
        "memory": f"{memory_ki - _EVICTION_HARD_MEMORY_KI}Ki",
    }
    seed = uuid.uuid5(uuid.NAMESPACE_DNS, f"{scenario.name}.{node.name}")
    spec: dict[str, Any] = {
        "podCIDR": f"127.244.{index % 256}.0/24",
        "podCIDRs": [f"127.244.{index % 256}.0/24"],
    }
    if taints:
        spec["taints"] = taints
    if node.unschedulable:
        spec["unschedulable"] = True
    runtime_socket = {
        "containerd": "unix:///run/containerd/containerd.sock",
        "cri-o": "unix:///var/run/crio/crio.sock",
        "docker": "unix:///var/run/cri-dockerd.sock",
    }
    kind = node.container_runtime_version.split(":", 1)[0]
    return {
        "metadata": {
            "name": node.name,
            "labels": _node_labels(node, scenario),
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": runtime_socket.get(
                    kind, runtime_socket["containerd"]
                ),
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": node.internal_ip},
                {"type": "Hostname", "address": node.name},
            ],
            "capacity": capacity,
            "allocatable": allocatable,
            "conditions": _conditions(node, now),
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "images": [],
            "nodeInfo": {
                "architecture": node.architecture,
                "bootID": str(uuid.uuid5(seed, "boot")),
                "containerRuntimeVersion": node.container_runtime_version,
                "kernelVersion": node.kernel_version,
                "kubeProxyVersion": node.kubelet_version,
                "kubeletVersion": node.kubelet_version,
                "machineID": uuid.uuid5(seed, "machine").hex,
                "operatingSystem": "linux",
                "osImage": node.os_image,
                "systemUUID": str(uuid.uuid5(seed, "system")).upper(),
            },
        },
    }


def _node_lease(node: Obj, lease_seconds: int, renewed: str) -> Obj:
    """The kubelet's heartbeat Lease in kube-node-lease, owned by its Node as in a real cluster."""
    name = node["metadata"]["name"]
    return {
        "metadata": {
            "name": name, "namespace": LEASE_NAMESPACE,
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": name, "uid": node["metadata"]["uid"]}],
        },
        "spec": {"holderIdentity": name, "leaseDurationSeconds": lease_seconds, "renewTime": renewed},
    }


# kind's default StorageClass: the local-path provisioner, binding when the first pod uses a claim.
STANDARD_STORAGE_CLASS: Obj = {
    "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
    "provisioner": "rancher.io/local-path",
    "reclaimPolicy": "Delete",
    "volumeBindingMode": "WaitForFirstConsumer",
}


def bootstrap(store: Store, scenario: Scenario) -> None:
    """Create the objects a freshly installed cluster of this scenario has."""
    now = now_rfc3339()
    for role in cluster_roles():
        store.create(CLUSTERROLE, role)
    for binding in cluster_role_bindings():
        store.create(CLUSTERROLEBINDING, binding)
    store.create(STORAGECLASS, STANDARD_STORAGE_CLASS)
    plugin_namespaces = {"helm": ["nvidia-device-plugin"], "gpu-operator": ["gpu-operator"]}
    dra_namespaces = [scenario.dra_driver.namespace] if scenario.dra_driver is not None else []
    for name in (*SYSTEM_NAMESPACES, *plugin_namespaces.get(scenario.device_plugin.style, []), *dra_namespaces):
        ensure_namespace(store, name)
    store.create(
        SERVICE,
        {
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "clusterIP": "127.96.0.1",
                "clusterIPs": ["127.96.0.1"],
                "type": "ClusterIP",
                "sessionAffinity": "None",
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            },
            "status": {"loadBalancer": {}},
        },
    )
    lease_seconds = timing(scenario).lease_seconds
    # A node NotReady from the start went silent a while ago: its last heartbeat and Lease renewal are old.
    silent_since = _silent_since()
    for index, node in enumerate(scenario.nodes):
        created = store.create(NODE, _node(node, index, scenario, now))
        renewed = micro_time() if node.ready else silent_since.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        store.create(LEASE, _node_lease(created, lease_seconds, renewed))
    create_workloads(store, scenario)
    classes = list(scenario.runtime_classes)
    for rc in classes:
        store.create(RUNTIMECLASS, {"metadata": {"name": rc.name}, "handler": rc.handler})
    if scenario.device_plugin.style == "gpu-operator" and not any(rc.name == "nvidia" for rc in classes):
        store.create(
            RUNTIMECLASS,
            {
                "metadata": {"name": "nvidia", "labels": {"app.kubernetes.io/component": "gpu-operator"}},
                "handler": "nvidia",
            },
        )
    for rt, obj in (*plugin_objects(scenario), *dra_driver_objects(scenario)):
        store.create(rt, obj)
