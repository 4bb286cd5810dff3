"""Tutorial 2.2 `kubectl describe no NODE | grep gpu`: the cluster sees the GPUs, on every GPU node,
as many as the node really has."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import CAPACITY_ADVERTISED, CAPACITY_GPU_NODES, CAPACITY_MATCHES_GPUS
from gpu_conformance.facts.cluster import PluginFacts, ProbeOutcome
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.capacity import capacity_advertised, capacity_matches_gpus, gpu_nodes_found
from gpu_conformance.settings import Settings


@pytest.mark.cluster
@verifies(CAPACITY_GPU_NODES)
def test_cluster_has_gpu_nodes(checked_nodes: list[GpuNode], api_server: str, settings: Settings) -> None:
    require(gpu_nodes_found(checked_nodes, api_server, settings.expected_gpu_nodes))


@pytest.mark.cluster
@verifies(CAPACITY_ADVERTISED)
def test_gpus_advertised(gpu_node: GpuNode, plugin: PluginFacts) -> None:
    require(capacity_advertised(gpu_node, plugin))


@pytest.mark.node_local
@verifies(CAPACITY_MATCHES_GPUS)
def test_advertised_gpus_match_the_node(gpu_node: GpuNode, probe: ProbeOutcome, settings: Settings) -> None:
    require(capacity_matches_gpus(gpu_node, probe, settings))
