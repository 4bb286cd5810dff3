"""GPU health after day one: every GPU a node advertises can still be given to a pod (`kubectl describe no NODE`:
nvidia.com/gpu under Allocatable as under Capacity)."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import HEALTH_ALLOCATABLE
from gpu_conformance.facts.cluster import PluginFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.health import allocatable_equals_capacity


@pytest.mark.cluster
@verifies(HEALTH_ALLOCATABLE)
def test_every_advertised_gpu_is_allocatable(gpu_node: GpuNode, plugin: PluginFacts) -> None:
    require(allocatable_equals_capacity(gpu_node, plugin))
