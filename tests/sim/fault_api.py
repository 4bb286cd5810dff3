"""The cluster as a user sees it, for the fault tests: the official client, the node's host files."""

from __future__ import annotations

import subprocess
from pathlib import Path

import requests
from gpusim.cluster import SimCluster
from gpusim.testing import eventually
from kubernetes import client, config

BROKEN = "k8s-node06"  # every node-level fault scenario breaks this node and leaves k8s-node05 healthy
HEALTHY = "k8s-node05"
VECTORADD = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda10.2"


class Api:
    """The official client over verified TLS, as a user of the cluster has it."""

    def __init__(self, cluster: SimCluster) -> None:
        self.cluster = cluster
        self.client = config.new_client_from_config(str(cluster.kubeconfig), persist_config=False)
        self.core = client.CoreV1Api(self.client)

    def allocatable_gpus(self, node: str) -> str | None:
        allocatable = self.core.read_node(node).status.allocatable or {}
        gpus: str | None = allocatable.get("nvidia.com/gpu")
        return gpus

    def plugin_pod(self, node: str) -> client.V1Pod:
        pods = self.core.list_pod_for_all_namespaces(label_selector="name=nvidia-device-plugin-ds",
                                                     field_selector=f"spec.nodeName={node}").items
        assert len(pods) == 1, f"expected one device plugin pod on {node}, found {len(pods)}"
        return pods[0]

    def run_vectoradd(self, node: str, image: str = VECTORADD) -> client.V1Pod:
        """The tutorial's gpu-pod, pinned to ``node``; returns it once it stops progressing."""
        return self.run_gpu_pod(node, image)

    def run_gpu_pod(self, node: str, image: str, command: list[str] | None = None, gpus: int = 1) -> client.V1Pod:
        """A pod of ``image`` asking for ``gpus`` GPUs, pinned to ``node``; returns it once it stops progressing."""
        pod = client.V1Pod(
            metadata=client.V1ObjectMeta(generate_name="gpu-pod-"),
            spec=client.V1PodSpec(
                restart_policy="Never", node_selector={"kubernetes.io/hostname": node},
                tolerations=[client.V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
                containers=[client.V1Container(
                    name="cuda-container", image=image, command=command,
                    resources=client.V1ResourceRequirements(limits={"nvidia.com/gpu": str(gpus)}))]))
        name = self.core.create_namespaced_pod("default", pod).metadata.name

        def settled() -> client.V1Pod | None:
            current = self.core.read_namespaced_pod(name, "default")
            waiting = [s.state.waiting.reason for s in current.status.container_statuses or [] if s.state.waiting]
            stuck = waiting and waiting[0] in ("ImagePullBackOff", "CrashLoopBackOff")
            unschedulable = any(c.reason == "Unschedulable" for c in current.status.conditions or [])
            done = current.status.phase in ("Succeeded", "Failed")
            return current if done or stuck or unschedulable else None

        result = eventually(settled, timeout=30, what=f"{image} pod on {node} settling")
        assert isinstance(result, client.V1Pod)
        return result

    def log(self, pod: client.V1Pod) -> str:
        text: str = self.core.read_namespaced_pod_log(pod.metadata.name, pod.metadata.namespace)
        return text

    def events_for(self, name: str) -> list[str]:
        return self.events_in("default", name)

    def events_in(self, namespace: str, name: str) -> list[str]:
        events = self.core.list_namespaced_event(namespace, field_selector=f"involvedObject.name={name}").items
        return [f"{e.reason}: {e.message}" for e in events]


def host_file(cluster: SimCluster, node: str, path: str) -> Path:
    return cluster.host_root(node) / path.lstrip("/")


def run_host_binary(cluster: SimCluster, node: str, binary: str, *args: str) -> str:
    result = subprocess.run(["sh", str(host_file(cluster, node, binary)), *args], capture_output=True, text=True,
                            timeout=10, check=False)
    return result.stdout + result.stderr


def scrape(cluster: SimCluster, node: str, timeout: float = 2) -> requests.Response:
    """The node's exporter's /metrics, as Prometheus scrapes it."""
    spec = cluster.scenario.node(node)
    return requests.get(f"http://{spec.internal_ip}:{spec.exporter.port}/metrics", timeout=timeout)
