"""DRA-VECTORADD's gathering against the simulated API (kube/dra_workload.py): a ResourceClaimTemplate per node in
the version the cluster speaks, the Job's pod claiming through it, a node whose GPUs other claims hold skipped, and
the run's cleanup deleting the templates with its Jobs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import loads
from gpusim.testing import StartCluster, eventually, kubectl
from kubernetes import client

from gpu_conformance.facts.dra_workload import DraWorkload
from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.dra import gather_dra
from gpu_conformance.kube.dra_workload import run_dra_vectoradd
from gpu_conformance.kube.run import RunContext
from tests.requirements.builders import RTX_4090
from tests.requirements.dra_builders import gpu_device, resource_slice

from .conftest import Connect

pytestmark = pytest.mark.e2e
# The seed cluster on Kubernetes 1.34 (resource.k8s.io/v1 served), until the test bed's `dra` scenario publishes
# the driver's slices itself: the DeviceClass and the slices are made here, as the driver would.
SEED_134 = "name: seed-1.34\nbase: seed\nkubernetes: {version: v1.34.1}\n"
NODES = ("k8s-node05", "k8s-node06")


def _publish(cluster: SimCluster) -> None:
    objects = [{"apiVersion": "resource.k8s.io/v1", "kind": "DeviceClass", "metadata": {"name": "gpu.nvidia.com"},
                "spec": {"selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}}]
    objects += [resource_slice([gpu_device(g.index, g.uuid) for g in RTX_4090], node=n) for n in NODES]
    for body in objects:
        kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(body))


def _hold(cluster: SimCluster, node: str) -> None:
    """Another team's claim allocated both GPUs of ``node``."""
    claim = {"apiVersion": "resource.k8s.io/v1", "kind": "ResourceClaim",
             "metadata": {"name": "train", "namespace": "default"},
             "spec": {"devices": {"requests": [{"name": "gpus", "exactly": {"deviceClassName": "gpu.nvidia.com",
                                                                            "allocationMode": "All"}}]}}}
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(claim))
    claim["status"] = {"allocation": {"devices": {"results": [
        {"request": "gpus", "driver": "gpu.nvidia.com", "pool": node, "device": f"gpu-{g.index}"} for g in RTX_4090]}}}
    client_objects = kubectl(cluster, "replace", "--subresource", "status", "-f", "-", stdin=json.dumps(claim),
                             check=False)
    assert client_objects.returncode == 0, client_objects.stderr


def _templates(cluster: SimCluster) -> list[dict[str, Any]]:
    listed = kubectl(cluster, "get", "resourceclaimtemplates", "-n", "gpu-conformance", "-o", "json", check=False)
    return list(json.loads(listed.stdout)["items"]) if listed.returncode == 0 else []


def test_templates_jobs_busy_nodes_and_cleanup(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = start_cluster(loads(SEED_134))
    _publish(cluster)
    _hold(cluster, "k8s-node06")
    conn, settings = connect_to(cluster, timeout=20.0)
    nodes, run = gpu_nodes(conn, settings), RunContext()
    dra = gather_dra(conn, [n.name for n in nodes])
    assert dra.version == "v1"

    found = run_dra_vectoradd(conn, settings, dra, nodes, run)

    busy = found["k8s-node06"]
    assert isinstance(busy, DraWorkload) and busy.workload.result == "gpus_busy"
    assert "allocated to other claims (default/train)" in busy.workload.detail
    ran = found["k8s-node05"]
    assert isinstance(ran, DraWorkload) and ran.workload.pod is not None
    (template,) = _templates(cluster)
    name = f"vectoradd-dra-k8s-node05-{run.run_id}"
    assert template["metadata"]["name"] == name
    assert template["spec"]["spec"] == {"devices": {"requests": [{"name": "gpu", "exactly": {
        "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}}]}}
    assert template["spec"]["metadata"]["labels"] == run.component_labels("vectoradd-dra")
    job = client.BatchV1Api(conn.api_client).read_namespaced_job(name, "gpu-conformance")
    pod_spec = job.spec.template.spec
    assert [(c.name, c.resource_claim_template_name) for c in pod_spec.resource_claims] == [("gpu", name)]
    resources = pod_spec.containers[0].resources
    assert ([c.name for c in resources.claims], resources.limits) == (["gpu"], None)

    assert cleanup(conn, settings, run) == []
    eventually(lambda: not _templates(cluster), what="the run's ResourceClaimTemplates deleted")
