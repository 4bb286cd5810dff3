"""GPU sharing as NVIDIA's device plugin and GPU Feature Discovery show it: time-slicing, MPS, renameByDefault,
and the one mismatch a real plugin produces (a GPU gone Unhealthy takes its replicas out of allocatable)."""

from __future__ import annotations

import pytest
from gpusim.scenario import loads
from gpusim.testing import StartCluster, eventually
from kubernetes import client, config

pytestmark = pytest.mark.e2e

SHARED_NODE = "k8s-node05"  # two RTX 4090s, 4 replicas each
SHARING_LABELS = ("nvidia.com/gpu.count", "nvidia.com/gpu.replicas", "nvidia.com/gpu.sharing-strategy",
                  "nvidia.com/gpu.product", "nvidia.com/mps.capable")


def _api(start_cluster: StartCluster, scenario: str) -> client.CoreV1Api:
    cluster = start_cluster(loads(scenario) if "\n" in scenario else scenario)
    return client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))


def _gfd_labels(api: client.CoreV1Api, node: str) -> dict[str, str]:
    labels = eventually(lambda: api.read_node(node).metadata.labels if "nvidia.com/gpu.replicas" in
                        api.read_node(node).metadata.labels else None, what="GPU Feature Discovery labels")
    assert isinstance(labels, dict)
    return {key: labels[key] for key in SHARING_LABELS}


@pytest.mark.parametrize(("scenario", "resource", "strategy", "product", "mps"), [
    ("time-slicing", "nvidia.com/gpu", "time-slicing", "NVIDIA-GeForce-RTX-4090-SHARED", "false"),
    ("mps", "nvidia.com/gpu", "mps", "NVIDIA-GeForce-RTX-4090-SHARED", "true"),
    ("time-slicing-renamed", "nvidia.com/gpu.shared", "time-slicing", "NVIDIA-GeForce-RTX-4090", "false"),
])
def test_shared_gpus_are_advertised_and_labelled_as_the_plugin_does(
    start_cluster: StartCluster, scenario: str, resource: str, strategy: str, product: str, mps: str
) -> None:
    api = _api(start_cluster, scenario)
    assert _gfd_labels(api, SHARED_NODE) == {
        "nvidia.com/gpu.count": "2", "nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": strategy,
        "nvidia.com/gpu.product": product, "nvidia.com/mps.capable": mps}
    status = api.read_node(SHARED_NODE).status
    gpus = {k: v for k, v in status.allocatable.items() if k.startswith("nvidia.com/")}
    assert gpus == {resource: "8"} and status.capacity[resource] == "8"
    unshared = _gfd_labels(api, "k8s-node06")
    assert (unshared["nvidia.com/gpu.replicas"], unshared["nvidia.com/gpu.sharing-strategy"]) == ("1", "none")


def test_an_unhealthy_gpu_takes_its_replicas_out_of_allocatable(start_cluster: StartCluster) -> None:
    api = _api(start_cluster, "name: xid\nbase: time-slicing\nnodes:\n  - name: k8s-node05\n    unhealthyGpus: [1]\n")

    def advertised() -> tuple[str, str] | None:
        status = api.read_node(SHARED_NODE).status
        return (status.capacity["nvidia.com/gpu"], status.allocatable["nvidia.com/gpu"]) \
            if "nvidia.com/gpu" in status.capacity else None

    assert eventually(advertised, what="the plugin's registration") == ("8", "4")
