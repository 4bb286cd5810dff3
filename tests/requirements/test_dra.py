"""DRA-API, DRA-DEVICECLASS, DRA-DRIVER-READY, DRA-SLICES-MATCH-GPUS and DRA-DEVICES-HEALTHY on built facts."""

from __future__ import annotations

import dataclasses

import pytest

from gpu_conformance.facts.cluster import NodeRequirement
from gpu_conformance.facts.dra import read_slices
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.dra import (
    device_classes,
    devices_healthy,
    dra_api,
    driver_ready,
    slices_match_gpus,
)

from .builders import NODE, RTX_4090, failed_outcome, gpu_node, outcome, probe
from .dra_builders import (
    KUBELET_PLUGIN_DS,
    XID,
    dra_facts,
    gpu_device,
    kubelet_plugin_pod,
    mig_device,
    node_slice,
    resource_slice,
)

SLICES = f"ResourceSlices of driver gpu.nvidia.com on node {NODE} (GET /apis/resource.k8s.io/v1/resourceslices)"
UUIDS = ", ".join(g.uuid for g in RTX_4090)
POD = "nvidia-dra-driver-gpu/nvidia-dra-driver-gpu-kubelet-plugin-q8x2z"
PLUGIN_SOURCE = "DaemonSets and pods in all namespaces"


def test_api_served_names_the_versions_and_the_one_spoken() -> None:
    verdict = dra_api(dra_facts(served=("v1beta1",)))
    assert verdict.ok and verdict.message == (
        "found resource.k8s.io/v1beta1; the suite speaks resource.k8s.io/v1beta1 at GET /apis/resource.k8s.io "
        "(API discovery)")


@pytest.mark.parametrize(("served", "found"), [((), "no resource.k8s.io"),
                                               (("v1alpha3",), "resource.k8s.io/v1alpha3")])
def test_api_not_served_in_a_supported_version(served: tuple[str, ...], found: str) -> None:
    verdict = dra_api(dra_facts(served=served))
    assert not verdict.ok
    assert verdict.message.startswith(f"[DRA-API] found {found} at GET /apis/resource.k8s.io (API discovery), "
                                      "expected resource.k8s.io in v1, v1beta2, v1beta1; fix: upgrade to "
                                      "Kubernetes >= 1.34")
    assert "--feature-gates=DynamicResourceAllocation=true" in verdict.message


def test_device_class_present() -> None:
    verdict = device_classes(dra_facts(classes=("gpu.nvidia.com",)))
    assert verdict.ok and verdict.message == ("found DeviceClasses gpu.nvidia.com at "
                                              "GET /apis/resource.k8s.io/v1/deviceclasses")


def test_device_class_missing_names_the_helm_install() -> None:
    verdict = device_classes(dra_facts(classes=("mig.nvidia.com",)))
    assert not verdict.ok
    assert verdict.message.startswith("[DRA-DEVICECLASS] found DeviceClasses mig.nvidia.com at GET "
                                      "/apis/resource.k8s.io/v1/deviceclasses, expected DeviceClass gpu.nvidia.com; "
                                      "fix: install NVIDIA's DRA driver with its Helm chart")
    assert "helm upgrade -i nvidia-dra-driver-gpu nvidia/nvidia-dra-driver-gpu" in verdict.message


def test_mig_devices_need_the_mig_class() -> None:
    facts = dra_facts(resource_slice([mig_device(RTX_4090[0].uuid)]), classes=("gpu.nvidia.com",))
    verdict = device_classes(facts)
    assert not verdict.ok
    assert "expected DeviceClass mig.nvidia.com (a node's ResourceSlices hold MIG devices)" in verdict.message


def test_checks_after_the_api_skip_without_it() -> None:
    facts = dra_facts(served=())
    node = gpu_node()
    verdicts = [device_classes(facts), driver_ready(facts, node), slices_match_gpus(facts, outcome(probe()), node),
                devices_healthy(facts, node)]
    assert all(v.skip and v.message.endswith("resource.k8s.io is not served in a supported version: see DRA-API")
               for v in verdicts)


def test_driver_ready() -> None:
    verdict = driver_ready(dra_facts(), gpu_node())
    assert verdict.ok and verdict.message == f"found pod {POD} Running, Ready, 0 restarts at {PLUGIN_SOURCE}"


def test_driver_crash_looping_names_state_exit_and_log() -> None:
    log = ("I1203 10:00:00.000000       1 main.go:180] Starting gpu kubelet plugin\n"
           "E1203 10:00:00.000000       1 main.go:210] error creating driver: failed to initialize NVML: "
           "ERROR_LIBRARY_NOT_FOUND\n")
    pod = kubelet_plugin_pod(ready=False, restarts=5, waiting="CrashLoopBackOff", last_exit="Error (exit code 1)",
                             log=log)
    verdict = driver_ready(dra_facts(pods=(pod,)), gpu_node())
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[DRA-DRIVER-READY] found pod {POD} Running, not Ready (its container is waiting: CrashLoopBackOff), last "
        "exit Error (exit code 1), 5 restarts; log: \"error creating driver: failed to initialize NVML: "
        f"ERROR_LIBRARY_NOT_FOUND\" at {PLUGIN_SOURCE}, expected Running and Ready, not crash-looping; fix: "
        f"`kubectl -n nvidia-dra-driver-gpu logs nvidia-dra-driver-gpu-kubelet-plugin-q8x2z -c gpus --previous`")


def test_driver_not_installed() -> None:
    verdict = driver_ready(dra_facts(pods=(), daemonsets=()), gpu_node())
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[DRA-DRIVER-READY] found no DRA kubelet-plugin pod on node {NODE} (no DaemonSet of NVIDIA's DRA driver) at "
        f"{PLUGIN_SOURCE}, expected one Running and Ready pod of the DRA kubelet-plugin DaemonSet; fix: ")
    assert "helm upgrade -i nvidia-dra-driver-gpu" in verdict.message


def test_driver_daemonset_not_selecting_the_node_says_which_rule() -> None:
    affinity = ((NodeRequirement("nvidia.com/gpu.present", "In", ("true",)),),)
    daemonset = dataclasses.replace(KUBELET_PLUGIN_DS, affinity_terms=affinity)
    verdict = driver_ready(dra_facts(pods=(), daemonsets=(daemonset,)), gpu_node())
    assert not verdict.ok
    assert ("fix: DaemonSet nvidia-dra-driver-gpu/nvidia-dra-driver-gpu-kubelet-plugin does not select the node: "
            "its required node affinity wants nvidia.com/gpu.present in (true), the node has no label "
            "nvidia.com/gpu.present") in verdict.message
    assert f"`kubectl label node {NODE} nvidia.com/gpu.present=true --overwrite`" in verdict.message


def test_two_plugin_pods_on_one_node() -> None:
    verdict = driver_ready(dra_facts(pods=(kubelet_plugin_pod(), kubelet_plugin_pod())), gpu_node())
    assert not verdict.ok and "found 2 DRA kubelet-plugin pods on node k8s-node05" in verdict.message


def test_slices_match_the_probe() -> None:
    verdict = slices_match_gpus(dra_facts(), outcome(probe()), gpu_node())
    assert verdict.ok
    assert verdict.message.startswith(f"found 2 GPUs published ({UUIDS}), matching the 2 GPUs listed by NVML")
    assert verdict.message.endswith(f"at {SLICES}")


def test_the_v1beta1_shape_reads_the_same() -> None:
    beta = resource_slice([gpu_device(g.index, g.uuid, beta=True) for g in RTX_4090])
    assert read_slices([beta]).by_node == read_slices([node_slice()]).by_node
    assert slices_match_gpus(dra_facts(beta), outcome(probe()), gpu_node()).ok


def test_a_missing_gpu_is_named() -> None:
    one = resource_slice([gpu_device(0, RTX_4090[0].uuid)])
    verdict = slices_match_gpus(dra_facts(one), outcome(probe()), gpu_node())
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[DRA-SLICES-MATCH-GPUS] found 1 GPU published ({RTX_4090[0].uuid}); missing {RTX_4090[1].uuid} at "
        f"{SLICES}, expected every slice of the node's pool, and exactly the 2 GPUs listed by NVML")
    assert "fix: restart the DRA kubelet plugin pod on the node" in verdict.message


def test_a_foreign_gpu_and_a_wrong_product_are_named() -> None:
    foreign = "GPU-00000000-0000-0000-0000-000000000000"
    devices = [gpu_device(0, RTX_4090[0].uuid, product="NVIDIA A100-SXM4-80GB"), gpu_device(1, RTX_4090[1].uuid),
               gpu_device(2, foreign)]
    verdict = slices_match_gpus(dra_facts(resource_slice(devices)), outcome(probe()), gpu_node())
    assert not verdict.ok
    assert f"GPUs the node does not have: {foreign}" in verdict.message
    assert (f"device gpu-0 ({RTX_4090[0].uuid}) productName 'NVIDIA A100-SXM4-80GB', NVML says "
            "'NVIDIA GeForce RTX 4090'") in verdict.message


def test_a_stale_driver_version_names_both() -> None:
    verdict = slices_match_gpus(dra_facts(node_slice(driver="525.60.13")), outcome(probe()), gpu_node())
    assert not verdict.ok
    assert ("device gpu-0 driverVersion 525.60.13, the node's driver is 535.104.05 (NVML nvmlSystemGetDriverVersion"
            in verdict.message)


def test_the_drivers_semantic_version_equals_nvidias_zero_padded_one() -> None:
    """The driver publishes 535.104.5 for 535.104.05 (semantic versions have no leading zeros)."""
    assert slices_match_gpus(dra_facts(node_slice(driver="535.104.5")), outcome(probe()), gpu_node()).ok


def test_an_incomplete_pool_is_named() -> None:
    first = resource_slice([gpu_device(0, RTX_4090[0].uuid)], name="k8s-node05-gpu.nvidia.com-a", count=2)
    verdict = slices_match_gpus(dra_facts(first), outcome(probe()), gpu_node())
    assert not verdict.ok
    assert f"pool {NODE} generation 1: 1 of 2 slices (k8s-node05-gpu.nvidia.com-a)" in verdict.message


def test_only_the_newest_generation_counts() -> None:
    old = resource_slice([gpu_device(0, "GPU-00000000-0000-0000-0000-000000000000")], name="old", generation=1)
    new = resource_slice([gpu_device(g.index, g.uuid) for g in RTX_4090], name="new", generation=2)
    assert slices_match_gpus(dra_facts(old, new), outcome(probe()), gpu_node()).ok


def test_mig_devices_count_for_their_parent_gpu() -> None:
    slices = resource_slice([mig_device(RTX_4090[0].uuid, 0), mig_device(RTX_4090[0].uuid, 1),
                             gpu_device(1, RTX_4090[1].uuid)])
    assert slices_match_gpus(dra_facts(slices), outcome(probe()), gpu_node()).ok


def test_slices_without_a_probe_could_not_be_inspected() -> None:
    with pytest.raises(FactsUnavailable, match=r"\[DRA-SLICES-MATCH-GPUS\] could not inspect the GPUs of node"):
        slices_match_gpus(dra_facts(), failed_outcome(), gpu_node())


def test_untainted_devices() -> None:
    verdict = devices_healthy(dra_facts(), gpu_node())
    assert verdict.ok and verdict.message == f"found 2 devices, none tainted at {SLICES}"


def test_a_tainted_device_is_named_with_its_taint_and_since_when() -> None:
    devices = [gpu_device(0, RTX_4090[0].uuid), gpu_device(1, RTX_4090[1].uuid, taints=(XID,))]
    verdict = devices_healthy(dra_facts(resource_slice(devices)), gpu_node())
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[DRA-DEVICES-HEALTHY] found device gpu-1 ({RTX_4090[1].uuid}) tainted gpu.nvidia.com/xid=79:NoSchedule "
        f"since 2026-12-03T10:00:00Z at {SLICES}, expected no tainted device; fix: `nvidia-smi -q -d ERROR`")


def test_no_devices_leaves_health_to_the_slices_check() -> None:
    verdict = devices_healthy(dra_facts(node_slice(node="k8s-node06")), gpu_node())
    assert verdict.skip and "see DRA-SLICES-MATCH-GPUS" in verdict.message
