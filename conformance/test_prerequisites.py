"""Tutorial 2.1 先决条件: Kubernetes >= 1.10, NVIDIA driver >= 384.81, container toolkit >= 1.7 (or
nvidia-docker2 >= 2.0), and nvidia-container-runtime as the default low-level runtime."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import (
    CDI_SPEC,
    NODE_READY,
    PRE_DRIVER,
    PRE_K8S_VERSION,
    PRE_KUBELET_VERSION,
    PRE_RUNTIME_DEFAULT,
    PRE_TOOLKIT,
)
from gpu_conformance.facts.cluster import ApiVersion, PluginFacts, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.gpu_request_choice import GpuRequestChoice
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.cdi_spec import cdi_spec_lists_gpus
from gpu_conformance.requirements.node_ready import node_ready
from gpu_conformance.requirements.prerequisites import (
    driver_at_least,
    kubelet_at_least,
    kubernetes_at_least,
    runtime_default,
    toolkit_at_least,
)
from gpu_conformance.settings import Settings


@pytest.mark.cluster
@verifies(NODE_READY)
def test_node_ready(gpu_node: GpuNode) -> None:
    require(node_ready(gpu_node))


@pytest.mark.cluster
@verifies(PRE_K8S_VERSION)
def test_kubernetes_version(api_version: ApiVersion, settings: Settings) -> None:
    require(kubernetes_at_least(api_version, settings))


@pytest.mark.cluster
@verifies(PRE_KUBELET_VERSION)
def test_kubelet_version(gpu_node: GpuNode, settings: Settings) -> None:
    require(kubelet_at_least(gpu_node, settings))


@pytest.mark.node_local
@verifies(PRE_DRIVER)
def test_driver_version(probe: ProbeOutcome, gpu_node: GpuNode, settings: Settings) -> None:
    require(driver_at_least(probe, gpu_node, settings))


@pytest.mark.node_local
@verifies(PRE_TOOLKIT)
def test_container_toolkit(probe: ProbeOutcome, settings: Settings) -> None:
    require(toolkit_at_least(probe, settings))


@pytest.mark.node_local
@verifies(PRE_RUNTIME_DEFAULT)
def test_nvidia_runtime_is_default(probe: ProbeOutcome, gpu_node: GpuNode, runtime_classes: dict[str, str],
                                   plugin_found: PluginFacts | FactsUnavailable, settings: Settings,
                                   gpu_request: GpuRequestChoice) -> None:
    require(runtime_default(probe, gpu_node, runtime_classes, settings, plugin_found, gpu_request.dra_serves(gpu_node)))


@pytest.mark.node_local
@verifies(CDI_SPEC)
def test_cdi_spec_lists_the_gpus(probe: ProbeOutcome, plugin_found: PluginFacts | FactsUnavailable) -> None:
    require(cdi_spec_lists_gpus(probe, plugin_found))
