"""The devices a node's DRA kubelet plugin publishes, from the scenario's model (no cluster)."""

from __future__ import annotations

from typing import Any

from gpusim.dra_driver_manifests import DAEMONSET_NAME, dra_driver_objects
from gpusim.dra_slices import devices, semver
from gpusim.resources import DAEMONSET, DEVICECLASS
from gpusim.scenario import load, loads


def _published(scenario: str, node: str) -> list[dict[str, Any]]:
    loaded = load(scenario)
    assert loaded.dra_driver is not None
    return devices(loaded.node(node), loaded.dra_driver)


def test_full_gpus_carry_the_drivers_attributes_and_memory() -> None:
    node = load("dra").node("k8s-node05")
    listed = _published("dra", "k8s-node05")
    assert [d["name"] for d in listed] == ["gpu-0", "gpu-1"]
    first = listed[0]
    assert first["attributes"]["uuid"] == {"string": node.gpus[0].uuid}
    assert first["attributes"]["type"] == {"string": "gpu"}
    assert first["attributes"]["productName"] == {"string": "NVIDIA GeForce RTX 4090"}
    assert first["attributes"]["driverVersion"] == {"version": "535.104.5"}
    assert first["attributes"]["cudaComputeCapability"] == {"version": "8.9.0"}
    assert first["attributes"]["resource.kubernetes.io/pciBusID"] == {"string": "0000:01:00.0"}
    assert first["capacity"] == {"memory": {"value": f"{node.gpus[0].memory_mib}Mi"}}


def test_semver_drops_leading_zeros_as_masterminds_does() -> None:
    assert semver("535.104.05") == "535.104.5"
    assert semver("550.54") == "550.54.0"


def test_mig_devices_replace_their_gpu_with_their_parents_uuid() -> None:
    node = load("dra-mig").node("k8s-node06")
    listed = _published("dra-mig", "k8s-node06")
    assert [d["name"] for d in listed] == ["gpu-0-mig-3g20gb-9-4", "gpu-0-mig-2g10gb-14-2",
                                           "gpu-0-mig-1g5gb-19-1", "gpu-0-mig-1g5gb-19-0"]
    assert {d["attributes"]["type"]["string"] for d in listed} == {"mig"}
    assert [d["attributes"]["uuid"]["string"] for d in listed] == [m.uuid for m in node.gpus[0].mig_devices]
    assert {d["attributes"]["parentUUID"]["string"] for d in listed} == {node.gpus[0].uuid}


def test_slice_faults_show_in_the_devices() -> None:
    assert [d["name"] for d in _published("dra-slice-missing-gpu", "k8s-node05")] == ["gpu-0"]
    stale = _published("dra-driver-version-stale", "k8s-node06")
    assert stale[0]["attributes"]["driverVersion"] == {"version": "535.54.3"}
    assert [d["name"] for d in _published("dra-device-unhealthy", "k8s-node05")] == ["gpu-0"]
    tainted = _published("dra-device-tainted", "k8s-node05")
    assert [(d["name"], d.get("taints")) for d in tainted] == [
        ("gpu-0", None), ("gpu-1", [{"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}])]


def test_the_chart_objects_name_the_daemonset_and_the_classes_cel() -> None:
    objects = dra_driver_objects(load("dra"))
    daemonset = next(obj for kind, obj in objects if kind == DAEMONSET)
    assert daemonset["metadata"]["name"] == DAEMONSET_NAME == "nvidia-dra-driver-gpu-kubelet-plugin"
    assert daemonset["metadata"]["namespace"] == "nvidia-dra-driver-gpu"
    template = daemonset["spec"]["template"]
    assert template["metadata"]["labels"]["app.kubernetes.io/name"] == "nvidia-dra-driver-gpu"
    assert [c["name"] for c in template["spec"]["containers"]] == ["gpus"]
    assert template["spec"]["containers"][0]["image"] == "nvcr.io/nvidia/k8s-dra-driver-gpu:v25.12.0"
    classes = {obj["metadata"]["name"]: obj["spec"] for kind, obj in objects if kind == DEVICECLASS}
    expression = "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'"
    assert classes["gpu.nvidia.com"] == {"selectors": [{"cel": {"expression": expression}}],
                                         "extendedResourceName": "nvidia.com/gpu"}
    assert "extendedResourceName" not in classes["mig.nvidia.com"]
    missing = dra_driver_objects(load("dra-deviceclass-missing"))
    assert "gpu.nvidia.com" not in {obj["metadata"]["name"] for kind, obj in missing if kind == DEVICECLASS}
    assert dra_driver_objects(load("seed")) == []


def test_the_operator_style_installs_into_gpu_operator_with_its_driver_root() -> None:
    scenario = loads("name: t\nbase: dra\ndraDriver: {style: gpu-operator}\n")
    daemonset = next(obj for kind, obj in dra_driver_objects(scenario) if kind == DAEMONSET)
    assert daemonset["metadata"]["namespace"] == "gpu-operator"
    init = daemonset["spec"]["template"]["spec"]["initContainers"][0]
    assert {"name": "NVIDIA_DRIVER_ROOT", "value": "/run/nvidia/driver"} in init["env"]
    volumes = {v["name"]: v["hostPath"]["path"] for v in daemonset["spec"]["template"]["spec"]["volumes"]}
    assert volumes["driver-root"] == "/run/nvidia/driver" and volumes["driver-root-parent"] == "/run/nvidia"
