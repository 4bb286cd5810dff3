"""Tutorial 2.1 先决条件: Kubernetes >= 1.10, NVIDIA driver >= 384.81, container toolkit >= 1.7 (or
nvidia-docker2 >= 2.0), and nvidia-container-runtime as the default low-level runtime."""

import pytest

from gpu_conformance.cluster_facts import ApiVersion, ProbeOutcome
from gpu_conformance.gpu_nodes import GpuNode
from gpu_conformance.requirements.prerequisites import (
    driver_at_least,
    kubelet_at_least,
    kubernetes_at_least,
    runtime_default,
    toolkit_at_least,
)
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import require


@pytest.mark.cluster
@pytest.mark.check("PRE-K8S-VERSION")
def test_kubernetes_version(api_version: ApiVersion, settings: Settings) -> None:
    require(kubernetes_at_least(api_version, settings))


@pytest.mark.cluster
@pytest.mark.check("PRE-KUBELET-VERSION")
def test_kubelet_version(gpu_node: GpuNode, settings: Settings) -> None:
    require(kubelet_at_least(gpu_node, settings))


@pytest.mark.node_local
@pytest.mark.check("PRE-DRIVER")
def test_driver_version(probe: ProbeOutcome, gpu_node: GpuNode, settings: Settings) -> None:
    require(driver_at_least(probe, gpu_node, settings))


@pytest.mark.node_local
@pytest.mark.check("PRE-TOOLKIT")
def test_container_toolkit(probe: ProbeOutcome, settings: Settings) -> None:
    require(toolkit_at_least(probe, settings))


@pytest.mark.node_local
@pytest.mark.check("PRE-RUNTIME-DEFAULT")
def test_nvidia_runtime_is_default(probe: ProbeOutcome, gpu_node: GpuNode, runtime_classes: dict[str, str],
                                   settings: Settings) -> None:
    require(runtime_default(probe, gpu_node, runtime_classes, settings))
