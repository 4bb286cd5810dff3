"""HEALTH-ALLOCATABLE: allocatable below capacity names the GPUs the plugin marked unhealthy, with Xid and time."""

from __future__ import annotations

import pytest

from gpu_conformance.requirements.health import allocatable_equals_capacity, unhealthy_marks
from tests.requirements.builders import gpu_node, plugin, plugin_pod

pytestmark = pytest.mark.unit

UUID = "GPU-8a3b58c4-1e2f-4c1d-9b6e-0f7d2a9c4e51"
# As NVIDIA's device plugin logs it (internal/rm/health.go, server.go), klog header included.
MARKED = (
    "I1204 03:12:45.551834       1 main.go:287] Starting Plugins.\n"
    f"I1204 03:14:05.551834       1 health.go:169] XidCriticalError: Xid=79 on Device={UUID}; marking device as "
    "unhealthy.\n"
    f"I1204 03:14:05.552532       1 server.go:278] 'nvidia.com/gpu' device marked unhealthy: {UUID}\n"
)
SOURCE = "node k8s-node05 status.capacity and status.allocatable"


def test_allocatable_equal_to_capacity_passes() -> None:
    verdict = allocatable_equals_capacity(gpu_node(gpus=2), plugin(plugin_pod()))
    assert verdict.ok and not verdict.skip
    assert verdict.message == f"found allocatable equal to capacity (nvidia.com/gpu 2) at {SOURCE}"


def test_a_shortfall_names_the_gpu_the_xid_its_meaning_and_when() -> None:
    verdict = allocatable_equals_capacity(gpu_node(gpus=2, allocatable=1), plugin(plugin_pod(log=MARKED)))
    assert not verdict.ok
    assert verdict.message == (
        "[HEALTH-ALLOCATABLE] found nvidia.com/gpu allocatable 1 of capacity 2 (device plugin pod "
        "kube-system/nvidia-device-plugin-daemonset-w5kwg marked 1 GPU unhealthy: "
        f"{UUID} after Xid 79 (GPU has fallen off the bus) at 12-04 03:14:05) at {SOURCE}, expected allocatable "
        "equal to capacity: every GPU the node advertises healthy; fix: find the Xid on the node (`dmesg | grep -i "
        "xid`, `nvidia-smi -q -d ERROR`), reset the GPU (`nvidia-smi -r -i UUID`, with nothing running on it) or "
        "drain the node and reboot it, then `kubectl -n kube-system delete pod "
        "nvidia-device-plugin-daemonset-w5kwg` so it registers the GPU healthy again")


def test_a_log_without_an_xid_says_so_and_how_to_read_all_of_it() -> None:
    verdict = allocatable_equals_capacity(gpu_node(gpus=2, allocatable=0), plugin(plugin_pod(log="I1204 ok")))
    assert not verdict.ok
    assert ("the log tail of device plugin pod kube-system/nvidia-device-plugin-daemonset-w5kwg names no "
            "XidCriticalError (`kubectl -n kube-system logs nvidia-device-plugin-daemonset-w5kwg | grep -i xid`")\
        in verdict.message


def test_without_a_plugin_pod_the_fix_restarts_the_plugin() -> None:
    verdict = allocatable_equals_capacity(gpu_node(gpus=2, allocatable=1), plugin())
    assert "no device plugin pod runs there" in verdict.message
    assert verdict.message.endswith("then restart the device plugin so it registers the GPU healthy again")


def test_a_node_advertising_nothing_is_left_to_capacity_advertised() -> None:
    verdict = allocatable_equals_capacity(gpu_node(gpus=0), plugin())
    assert verdict.skip and "see CAPACITY-ADVERTISED" in verdict.message


def test_the_last_xid_of_each_device_is_kept() -> None:
    later = MARKED.replace("Xid=79", "Xid=48").replace("03:14:05", "03:20:00")
    (mark,) = unhealthy_marks(MARKED + later)
    assert (mark.device, mark.xid, mark.when) == (UUID, 48, "12-04 03:20:00")


def test_a_healthy_node_needs_no_plugin_facts() -> None:
    assert allocatable_equals_capacity(gpu_node(gpus=2), None).ok
