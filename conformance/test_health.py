"""GPU health after day one: every GPU a node advertises can still be given to a pod (`kubectl describe no NODE`:
nvidia.com/gpu under Allocatable as under Capacity), no GPU reported a critical Xid, and an NVSwitch system's fabric
is initialised, and GPU containers keep their devices when systemd reloads."""

import pytest

from conformance.binding import require, verifies
from gpu_conformance.checks import HEALTH_ALLOCATABLE, HEALTH_CGROUP_DEVICES, HEALTH_FABRIC, HEALTH_XID
from gpu_conformance.facts.cluster import PluginFacts, ProbeOutcome
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.requirements.health import allocatable_equals_capacity
from gpu_conformance.requirements.health_cgroup import devices_survive_reload
from gpu_conformance.requirements.health_fabric import fabric_initialised
from gpu_conformance.requirements.health_xid import no_critical_xid


@pytest.mark.cluster
@verifies(HEALTH_ALLOCATABLE)
def test_every_advertised_gpu_is_allocatable(gpu_node: GpuNode, plugin_where_degraded: PluginFacts | None) -> None:
    require(allocatable_equals_capacity(gpu_node, plugin_where_degraded))


@pytest.mark.monitoring
@verifies(HEALTH_XID)
def test_no_critical_xid(gpu_node: GpuNode, exporter: ExporterFacts, probe_if_run: ProbeOutcome | None) -> None:
    require(no_critical_xid(exporter, probe_if_run))


@pytest.mark.node_local
@verifies(HEALTH_FABRIC)
def test_nvswitch_fabric_is_initialised(probe: ProbeOutcome) -> None:
    require(fabric_initialised(probe))


@pytest.mark.node_local
@verifies(HEALTH_CGROUP_DEVICES)
def test_gpu_containers_keep_their_devices_across_a_systemd_reload(probe: ProbeOutcome) -> None:
    require(devices_survive_reload(probe))
