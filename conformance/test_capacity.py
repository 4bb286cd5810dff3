"""Tutorial 2.2 `kubectl describe no NODE | grep gpu`: the cluster sees the GPUs, on every GPU node,
as many as the node really has."""

import pytest

from gpu_conformance.cluster_facts import PluginFacts, ProbeOutcome
from gpu_conformance.gpu_nodes import GpuNode
from gpu_conformance.kube.client import Connection
from gpu_conformance.requirements.capacity import capacity_advertised, capacity_matches_gpus, gpu_nodes_found
from gpu_conformance.settings import Settings
from gpu_conformance.verdict import require


@pytest.mark.cluster
@pytest.mark.check("CAPACITY-GPU-NODES")
def test_cluster_has_gpu_nodes(checked_nodes: list[GpuNode], connection: Connection) -> None:
    require(gpu_nodes_found(checked_nodes, connection.server))


@pytest.mark.cluster
@pytest.mark.check("CAPACITY-ADVERTISED")
def test_gpus_advertised(gpu_node: GpuNode, plugin: PluginFacts) -> None:
    require(capacity_advertised(gpu_node, plugin))


@pytest.mark.node_local
@pytest.mark.check("CAPACITY-MATCHES-GPUS")
def test_advertised_gpus_match_the_node(gpu_node: GpuNode, probe: ProbeOutcome, settings: Settings) -> None:
    require(capacity_matches_gpus(gpu_node, probe, settings))
