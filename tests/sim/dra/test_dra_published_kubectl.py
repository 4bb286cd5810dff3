"""A started ``dra`` cluster: the driver's pods run on the GPU nodes and each publishes its ResourceSlice, as the
real kubectl and the official client see them."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl
from kubernetes import client, config

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
SCENARIO = "dra"
NAMESPACE = "nvidia-dra-driver-gpu"


def _slices(cluster: SimCluster) -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(kubectl(cluster, "get", "resourceslices", "-o", "json").stdout)["items"]
    return items


@pytest.fixture(scope="module")
def cluster(dra_cluster: SimCluster) -> SimCluster:
    eventually(lambda: len(_slices(dra_cluster)) == 2, what="a ResourceSlice from each GPU node")
    return dra_cluster


def test_kubectl_lists_slices_and_classes_in_the_real_columns(cluster: SimCluster) -> None:
    out = kubectl(cluster, "get", "resourceslices,deviceclasses").stdout
    slices, classes = out.strip().split("\n\n")
    header, *rows = slices.splitlines()
    assert header.split() == ["NAME", "NODE", "DRIVER", "POOL", "AGE"]
    by_node = {row.split()[1]: row.split() for row in rows}
    assert set(by_node) == {"k8s-node05", "k8s-node06"}
    for node, row in by_node.items():
        assert row[0].startswith(f"resourceslice.resource.k8s.io/{node}-gpu.nvidia.com-")
        assert row[2:4] == ["gpu.nvidia.com", node]
    assert [row.split()[0] for row in classes.splitlines()[1:]] == [
        "deviceclass.resource.k8s.io/gpu.nvidia.com", "deviceclass.resource.k8s.io/mig.nvidia.com",
        "deviceclass.resource.k8s.io/vfio.gpu.nvidia.com"]


def test_the_official_client_reads_the_devices_with_the_nodes_gpus(cluster: SimCluster) -> None:
    api = client.ResourceV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))
    slices = {s.spec.node_name: s for s in api.list_resource_slice().items}
    node05 = cluster.scenario.node("k8s-node05")
    devices = slices["k8s-node05"].spec.devices
    assert [d.name for d in devices] == ["gpu-0", "gpu-1"]
    assert [d.attributes["uuid"].string for d in devices] == [g.uuid for g in node05.gpus]
    assert slices["k8s-node05"].spec.pool.to_dict() == {"name": "k8s-node05", "generation": 1,
                                                         "resource_slice_count": 1}
    owner = slices["k8s-node06"].metadata.owner_references[0]
    assert (owner.kind, owner.name) == ("Node", "k8s-node06")
    gpu_class = api.read_device_class("gpu.nvidia.com")
    assert gpu_class.spec.extended_resource_name == "nvidia.com/gpu"


def test_the_kubelet_plugin_runs_on_each_labelled_gpu_node_and_logs_its_gpus(cluster: SimCluster) -> None:
    pods = json.loads(kubectl(cluster, "get", "pods", "-n", NAMESPACE, "-o", "json").stdout)["items"]
    assert sorted(p["spec"]["nodeName"] for p in pods) == ["k8s-node05", "k8s-node06"]
    on_node05 = next(p for p in pods if p["spec"]["nodeName"] == "k8s-node05")
    eventually(lambda: "Adding device gpu-1 to allocatable devices" in kubectl(
        cluster, "logs", "-n", NAMESPACE, on_node05["metadata"]["name"], "-c", "gpus").stdout,
        what="the plugin's start-up log")
    init_log = kubectl(cluster, "logs", "-n", NAMESPACE, on_node05["metadata"]["name"], "-c", "init-container").stdout
    assert "nvidia-smi returned with code 0: success, leave" in init_log
    node = json.loads(kubectl(cluster, "get", "node", "k8s-node05", "-o", "json").stdout)
    assert node["metadata"]["labels"]["feature.node.kubernetes.io/pci-10de.present"] == "true"
    assert "nvidia.com/gpu" not in node["status"]["capacity"]


def test_the_plugins_service_account_may_publish_slices_and_nothing_of_claims_beyond_reading(
        cluster: SimCluster) -> None:
    account = f"--as=system:serviceaccount:{NAMESPACE}:nvidia-dra-driver-gpu-service-account-kubeletplugin"
    assert kubectl(cluster, "auth", "can-i", "create", "resourceslices.resource.k8s.io", account,
                   check=False).stdout.strip() == "yes"
    assert kubectl(cluster, "auth", "can-i", "update", "resourceclaims.resource.k8s.io", account,
                   check=False).stdout.strip() == "no"
