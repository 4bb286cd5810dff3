"""Healthy variants of the tutorial's setup behave like healthy clusters: GPUs advertised, vectoradd passes."""

from __future__ import annotations

from collections import Counter

import pytest
from gpusim.model import NodeSpec, Scenario
from gpusim.testing import StartCluster, eventually
from kubernetes import client, config

pytestmark = pytest.mark.e2e

VARIANTS = ["seed", "docker", "containerd-v1", "containerd-v3-dropin", "crio", "k3s", "gpu-operator", "mig",
            "helm-gfd", "eks", "open-kernel-module", "time-slicing", "mps", "time-slicing-renamed",
            "nvidia-docker2-only", "hardened", "runtimeclass-legacy"]
VECTORADD = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0"


def expected_resources(scenario: Scenario, node: NodeSpec) -> dict[str, str]:
    """What the node's device plugin should advertise, from the ground truth."""
    mig = [d.profile for gpu in node.gpus for d in gpu.mig_devices]
    if mig and scenario.device_plugin.mig_strategy == "mixed":
        return {f"nvidia.com/mig-{profile}": str(n) for profile, n in Counter(mig).items()}
    if node.sharing is not None:
        return {node.sharing.resource: str(len(node.gpus) * node.sharing.replicas)}
    return {"nvidia.com/gpu": str(len(mig) or len(node.gpus))}


def vectoradd_pod(scenario: Scenario, node: NodeSpec, resource: str) -> client.V1Pod:
    default_nvidia = node.host is not None and node.host.runtime.default_runtime == "nvidia"
    runtime_class = None if default_nvidia else "nvidia"
    return client.V1Pod(
        metadata=client.V1ObjectMeta(generate_name="vectoradd-"),
        spec=client.V1PodSpec(
            restart_policy="Never", node_name=None, runtime_class_name=runtime_class,
            node_selector={"kubernetes.io/hostname": node.name},
            tolerations=[client.V1Toleration(key="nvidia.com/gpu", operator="Exists", effect="NoSchedule")],
            containers=[client.V1Container(name="vectoradd", image=VECTORADD,
                                           resources=client.V1ResourceRequirements(limits={resource: "1"}))]))


@pytest.mark.parametrize("variant", VARIANTS)
def test_variant_advertises_its_gpus_and_runs_vectoradd(variant: str, start_cluster: StartCluster) -> None:
    cluster = start_cluster(variant)
    api = client.CoreV1Api(config.new_client_from_config(str(cluster.kubeconfig), persist_config=False))
    scenario = cluster.scenario
    for node in scenario.gpu_nodes:
        wanted = expected_resources(scenario, node)
        allocatable = api.read_node(node.name).status.allocatable
        assert {k: v for k, v in allocatable.items() if k.startswith("nvidia.com/")} == wanted, node.name
        created = api.create_namespaced_pod("default", vectoradd_pod(scenario, node, sorted(wanted)[0]))

        def finished(name: str = created.metadata.name) -> client.V1Pod | None:
            pod = api.read_namespaced_pod(name, "default")
            return pod if pod.status.phase in ("Succeeded", "Failed") else None

        pod = eventually(finished, timeout=20, what=f"vectoradd on {node.name}")
        assert isinstance(pod, client.V1Pod)
        log = api.read_namespaced_pod_log(pod.metadata.name, "default")
        assert (pod.status.phase, log.splitlines()[-2:]) == ("Succeeded", ["Test PASSED", "Done"]), log
