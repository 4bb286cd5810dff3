"""Tutorial 2.2 部署插件到k8s: the NVIDIA device plugin DaemonSet runs a Ready pod on every GPU node
(`kubectl get po -n kube-system -l name=nvidia-device-plugin-ds`), whatever installed it."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import PLUGIN_DAEMONSET_READY, PLUGIN_DEPLOYED, PLUGIN_POD_READY
from gpu_conformance.facts.cluster import PluginFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.device_plugin import daemonsets_ready, plugin_deployed, plugin_pod_ready


@pytest.mark.cluster
@verifies(PLUGIN_DEPLOYED)
def test_device_plugin_deployed(plugin: PluginFacts) -> None:
    require(plugin_deployed(plugin))


@pytest.mark.cluster
@verifies(PLUGIN_DAEMONSET_READY)
def test_device_plugin_daemonset_ready(plugin: PluginFacts) -> None:
    require(daemonsets_ready(plugin))


@pytest.mark.cluster
@verifies(PLUGIN_POD_READY)
def test_device_plugin_pod_ready(plugin: PluginFacts, gpu_node: GpuNode) -> None:
    require(plugin_pod_ready(plugin, gpu_node))
