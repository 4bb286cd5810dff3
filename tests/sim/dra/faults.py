"""The DRA fault scenarios, each seen from outside with the official client, as on a real cluster (registered in
tests/sim/test_fault_scenarios.py with the other bundled faults)."""

from __future__ import annotations

from collections.abc import Callable

from gpusim.testing import eventually
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.sim.fault_api import Api, host_file
from tests.sim.gpu_stack_faults import cuda_pod_without_request

NAMESPACE = "nvidia-dra-driver-gpu"
NODE05, NODE06 = "k8s-node05", "k8s-node06"  # two GPUs, one GPU


def _resource(api: Api) -> client.ResourceV1Api:
    return client.ResourceV1Api(api.client)


def _devices_by_node(api: Api, nodes: int = 2) -> dict[str, list[client.V1Device]]:
    """Each publishing node's slice devices, once ``nodes`` nodes have published."""
    def published() -> dict[str, list[client.V1Device]] | None:
        slices = _resource(api).list_resource_slice().items
        found = {s.spec.node_name: s.spec.devices for s in slices}
        return found if len(found) == nodes else None

    result = eventually(published, what=f"slices from {nodes} nodes")
    assert isinstance(result, dict)
    return result


def dra_deviceclass_missing(api: Api) -> None:
    try:
        _resource(api).read_device_class("gpu.nvidia.com")
        raise AssertionError("DeviceClass gpu.nvidia.com exists")
    except ApiException as err:
        assert err.status == 404
    assert {c.metadata.name for c in _resource(api).list_device_class().items} == {
        "mig.nvidia.com", "vfio.gpu.nvidia.com"}
    assert len(_devices_by_node(api)[NODE05]) == 2


def _node05_lists_gpu0_only(api: Api) -> None:
    """k8s-node05's slice lacks its second GPU; k8s-node06's lists its one."""
    devices = _devices_by_node(api)
    assert [d.name for d in devices[NODE05]] == ["gpu-0"]
    assert [d.name for d in devices[NODE06]] == ["gpu-0"]


def dra_driver_version_stale(api: Api) -> None:
    devices = _devices_by_node(api)
    assert devices[NODE06][0].attributes["driverVersion"].version == "535.54.3"
    assert devices[NODE05][0].attributes["driverVersion"].version == "535.104.5"


def dra_plugin_crashloop(api: Api) -> None:
    def crash_looping() -> bool:
        pods = api.core.list_namespaced_pod(NAMESPACE, field_selector=f"spec.nodeName={NODE06}").items
        statuses = pods[0].status.container_statuses or [] if pods else []
        return any(s.state.waiting and s.state.waiting.reason == "CrashLoopBackOff" for s in statuses)

    eventually(crash_looping, timeout=20, what="the kubelet plugin's CrashLoopBackOff")
    assert set(_devices_by_node(api, nodes=1)) == {NODE05}


def dra_device_tainted(api: Api) -> None:
    devices = _devices_by_node(api)
    assert [(d.name, d.taints) for d in devices[NODE06]] == [("gpu-0", None)]
    tainted = devices[NODE05][1]
    assert tainted.name == "gpu-1"
    assert [(t.key, t.value, t.effect) for t in tainted.taints] == [("gpu.nvidia.com/xid", "79", "NoSchedule")]
    assert devices[NODE05][0].taints is None


def dra_nvidia_default_runtime(api: Api) -> None:
    """The tutorial's default nvidia runtime kept beside DRA: a CUDA pod that claims nothing computes on a GPU."""
    config_toml = host_file(api.cluster, NODE06, "/etc/containerd/config.toml").read_text()
    assert 'default_runtime_name = "nvidia"' in config_toml
    pod = cuda_pod_without_request(api, NODE06)
    assert pod.status.phase == "Succeeded" and "Test PASSED" in api.log(pod)


DRA_FAULTS: dict[str, Callable[[Api], None]] = {
    "dra-deviceclass-missing": dra_deviceclass_missing,
    "dra-slice-missing-gpu": _node05_lists_gpu0_only,
    "dra-driver-version-stale": dra_driver_version_stale,
    "dra-plugin-crashloop": dra_plugin_crashloop,
    "dra-device-unhealthy": _node05_lists_gpu0_only,
    "dra-device-tainted": dra_device_tainted,
    "dra-nvidia-default-runtime": dra_nvidia_default_runtime,
}
DRA_HEALTHY = {"dra", "dra-mig", "dra-v1beta1"}
