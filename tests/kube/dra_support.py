"""A DRA cluster for the gatherers' tests, until the test bed's `dra` scenario publishes the driver's slices itself:
the seed cluster on Kubernetes 1.34 (resource.k8s.io/v1 served), with the DeviceClass and each node's slice made
here as NVIDIA's driver would, and claims allocated by hand."""

from __future__ import annotations

import json
from typing import Any

from gpusim.cluster import SimCluster
from gpusim.scenario import loads
from gpusim.testing import StartCluster, kubectl

from tests.requirements.builders import RTX_4090
from tests.requirements.dra_builders import gpu_device, resource_slice

SEED_134 = "name: seed-1.34\nbase: seed\nkubernetes: {version: v1.34.1}\n"
SEED_132_BETA = ("name: seed-1.32\nbase: seed\nkubernetes: {version: v1.32.9}\n"
                 "apiServer: {runtimeConfig: {resource.k8s.io/v1beta1: true}}\n")
NODES = ("k8s-node05", "k8s-node06")


def dra_cluster(start_cluster: StartCluster) -> SimCluster:
    cluster = start_cluster(loads(SEED_134))
    objects = [{"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "gpu.nvidia.com"},
                "spec": {"selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}}]
    objects += [resource_slice([gpu_device(g.index, g.uuid) for g in RTX_4090], node=n) for n in NODES]
    for body in objects:
        kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(body))
    return cluster


def hold(cluster: SimCluster, node: str) -> None:
    """Another team's claim allocated both GPUs of ``node``."""
    claim: dict[str, Any] = {
        "apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
        "metadata": {"name": "train", "namespace": "default"},
        "spec": {"devices": {"requests": [{"name": "gpus", "exactly": {"deviceClassName": "gpu.nvidia.com",
                                                                       "allocationMode": "All"}}]}}}
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(claim))
    claim["status"] = {"allocation": {"devices": {"results": [
        {"request": "gpus", "driver": "gpu.nvidia.com", "pool": node, "device": f"gpu-{g.index}"} for g in RTX_4090]}}}
    kubectl(cluster, "replace", "--subresource", "status", "-f", "-", stdin=json.dumps(claim))


def listed(cluster: SimCluster, kind: str) -> list[dict[str, Any]]:
    """The suite namespace's objects of ``kind``; [] once the namespace is gone."""
    found = kubectl(cluster, "get", kind, "-n", "gpu-conformance", "-o", "json", check=False)
    return list(json.loads(found.stdout)["items"]) if found.returncode == 0 else []
