"""CAPACITY-ADVERTISED and CAPACITY-MATCHES-GPUS: what the node advertises against what it has."""

from __future__ import annotations

from typing import Any

import pytest

from gpu_conformance.errors import UsageError
from gpu_conformance.facts.cluster import PluginPod
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.capacity import capacity_advertised, capacity_matches_gpus, gpu_nodes_found
from gpu_conformance.settings import Settings, resolve

from .builders import (
    NO_DEVICES_LOG,
    NVML_GPUS,
    PULL_ERROR,
    failed_outcome,
    gpu_node,
    missing,
    outcome,
    plugin,
    plugin_pod,
    probe,
)

NODE_SOURCE = "node k8s-node05 status.capacity and status.allocatable"
SETTINGS = Settings()


def test_advertised() -> None:
    verdict = capacity_advertised(gpu_node(), plugin(plugin_pod()))
    assert verdict.message == f"found nvidia.com/gpu capacity 2, allocatable 2 at {NODE_SOURCE}"


def test_ready_plugin_advertising_nothing_fails_here() -> None:
    pod = plugin_pod(log=NO_DEVICES_LOG)
    verdict = capacity_advertised(gpu_node(gpus=0, labels={"nvidia.com/gpu.present": "true"}), plugin(pod))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[CAPACITY-ADVERTISED] found nvidia.com/gpu capacity 0, allocatable 0 at {NODE_SOURCE}, expected "
        "capacity and allocatable > 0 (a GPU node: label nvidia.com/gpu.present=true, label gpu-node=true, "
        "matches --gpu-node-selector); fix: device plugin pod kube-system/nvidia-device-plugin-daemonset-w5kwg is "
        'Ready but advertises nothing; its log says "No devices found. Waiting indefinitely.": with '
        "fail-on-init-error=false the plugin stays Ready when it cannot see the GPUs; fix PRE-DRIVER")
    assert verdict.message.endswith(
        "`kubectl -n kube-system delete pod nvidia-device-plugin-daemonset-w5kwg` so it registers again")


def test_ready_plugin_without_its_log_still_names_the_case() -> None:
    verdict = capacity_advertised(gpu_node(gpus=0), plugin(plugin_pod()))
    assert ('with fail-on-init-error=false the plugin logs "No devices found. Waiting indefinitely." and '
            "stays Ready when it cannot see the GPUs") in verdict.message


def test_nothing_advertised_without_a_ready_plugin() -> None:
    crashing = plugin_pod(ready=False, waiting="CrashLoopBackOff")
    verdict = capacity_advertised(gpu_node(gpus=0), plugin(crashing))
    assert verdict.message.endswith(
        "fix: no Ready device plugin on the node registers GPUs: see PLUGIN-POD-READY")


@pytest.mark.parametrize(("pods", "fix"), [
    ((plugin_pod(),), "the kubelet counts GPUs but none is allocatable: device plugin pod "
                      "kube-system/nvidia-device-plugin-daemonset-w5kwg reports them unhealthy; look for XID errors in "
                      "`kubectl -n kube-system logs nvidia-device-plugin-daemonset-w5kwg` and in the node's `dmesg`"),
    ((), "the kubelet still counts the GPUs an earlier device plugin registered, but no Ready device plugin on the "
         "node offers them: see PLUGIN-POD-READY"),
    ((plugin_pod(ready=False, waiting="CrashLoopBackOff"),), "the kubelet still counts the GPUs an earlier device "
     "plugin registered, but no Ready device plugin on the node offers them: see PLUGIN-POD-READY"),
])
def test_counted_but_none_allocatable_blames_only_a_plugin_that_is_there(pods: tuple[PluginPod, ...], fix: str) -> None:
    verdict = capacity_advertised(gpu_node(gpus=2, allocatable=0), plugin(*pods))
    assert verdict.message.startswith(
        "[CAPACITY-ADVERTISED] found nvidia.com/gpu capacity 2, allocatable 0 at")
    assert verdict.message.endswith(f"; fix: {fix}")


def test_mig_instances_count_as_advertised() -> None:
    node = gpu_node(gpus=0, extra={"nvidia.com/mig-1g.5gb": 7})
    verdict = capacity_advertised(node, plugin(plugin_pod()))
    assert verdict.ok and "nvidia.com/mig-1g.5gb capacity 7, allocatable 7" in verdict.message


def test_matches_the_probes_gpus() -> None:
    verdict = capacity_matches_gpus(gpu_node(), outcome(probe()), SETTINGS)
    assert verdict.message == (f"found nvidia.com/gpu capacity 2, allocatable 2, matching 2 GPUs listed by "
                               f"{NVML_GPUS} at {NODE_SOURCE}")


def test_fewer_advertised_than_the_node_has() -> None:
    verdict = capacity_matches_gpus(gpu_node(gpus=1), outcome(probe()), SETTINGS)
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[CAPACITY-MATCHES-GPUS] found nvidia.com/gpu capacity 1, allocatable 1 at {NODE_SOURCE}, expected "
        f"2 GPUs listed by {NVML_GPUS}; fix: make the plugin see every GPU")


def test_an_unhealthy_gpu_is_counted_in_capacity_and_left_to_health_allocatable() -> None:
    verdict = capacity_matches_gpus(gpu_node(gpus=2, allocatable=1), outcome(probe()), SETTINGS)
    assert verdict.ok and "capacity 2, allocatable 1, matching 2 GPUs" in verdict.message


def test_expected_gpus_setting_wins_over_the_probe() -> None:
    settings = Settings(expected_gpus=("k8s-node05=4",), sources={"expected-gpus": "command line"})
    verdict = capacity_matches_gpus(gpu_node(), outcome(probe()), settings)
    assert "expected --expected-gpus k8s-node05=4 (command line);" in verdict.message
    assert verdict.message.endswith("; or correct --expected-gpus")
    assert capacity_matches_gpus(gpu_node(gpus=4), outcome(probe(gpus=missing(NVML_GPUS, "x"))), settings).ok


def test_gfd_count_when_the_probe_failed() -> None:
    labels = {"nvidia.com/gpu.count": "2"}
    verdict = capacity_matches_gpus(gpu_node(labels=labels), failed_outcome(), SETTINGS)
    assert verdict.message == (
        "found nvidia.com/gpu capacity 2, allocatable 2, matching 2 GPUs per GPU Feature Discovery label "
        f"nvidia.com/gpu.count=2 on node k8s-node05 metadata.labels (the probe failed: {PULL_ERROR}) at "
        f"{NODE_SOURCE}")


def test_probe_without_gpus_and_gfd_label() -> None:
    nvml_error = "nvmlInit: Driver Not Loaded; nvidia-smi: exit status 9: NVIDIA-SMI has failed"
    broken = probe(gpus=missing("NVML nvmlInit (/host/usr/lib64/libnvidia-ml.so.1)", nvml_error))
    verdict = capacity_matches_gpus(gpu_node(labels={"nvidia.com/gpu.count": "2"}), outcome(broken), SETTINGS)
    assert f"(the probe failed: the probe listed no GPUs ({nvml_error}))" in verdict.message


def test_nothing_to_count_against_is_unavailable() -> None:
    with pytest.raises(FactsUnavailable) as raised:
        capacity_matches_gpus(gpu_node(), failed_outcome(), SETTINGS)
    assert raised.value.message.startswith(
        f"[CAPACITY-MATCHES-GPUS] could not inspect the GPUs of node k8s-node05: {PULL_ERROR} at probe pod "
        "gpu-conformance/probe-k8s-node05-x7k2p; no --expected-gpus entry and no nvidia.com/gpu.count label "
        "on the node either; hint: ")


@pytest.mark.parametrize(("node_args", "reason"), [
    ({"gpus": 0, "extra": {"nvidia.com/mig-1g.5gb": 7, "nvidia.com/mig-3g.20gb": 1}},
     "node k8s-node05 advertises MIG instances (nvidia.com/mig-1g.5gb: 7, nvidia.com/mig-3g.20gb: 1): the "
     "probe does not list MIG devices to count them against"),
    ({"gpus": 7, "labels": {"nvidia.com/mig.strategy": "single",
                            "nvidia.com/gpu.product": "A100-SXM4-40GB-MIG-1g.5gb"}},
     "advertises MIG instances (nvidia.com/gpu.product=A100-SXM4-40GB-MIG-1g.5gb)"),
    ({"gpus": 0, "extra": {"nvidia.com/gpu.shared": 8}},
     "node k8s-node05 shares its GPUs (nvidia.com/gpu.shared capacity 8, nvidia.com/gpu.sharing-strategy=none) but "
     "no nvidia.com/gpu.replicas label says how many times"),
])
def test_mig_and_sharing_skip_with_the_reason(node_args: dict[str, Any], reason: str) -> None:
    verdict = capacity_matches_gpus(gpu_node(**node_args), outcome(probe()), SETTINGS)
    assert verdict.skip and reason in verdict.message


TIME_SLICED = {"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing"}
MPS = {"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "mps"}
TWO_GPUS = f"2 GPUs listed by {NVML_GPUS}"


@pytest.mark.parametrize(("node_args", "ok", "found", "according"), [
    ({"gpus": 8, "labels": TIME_SLICED}, True, "nvidia.com/gpu capacity 8, allocatable 8",
     f"8 = {TWO_GPUS} x 4 replicas (nvidia.com/gpu.sharing-strategy=time-slicing)"),
    ({"gpus": 8, "labels": MPS}, True, "nvidia.com/gpu capacity 8, allocatable 8",
     f"8 = {TWO_GPUS} x 4 replicas (nvidia.com/gpu.sharing-strategy=mps)"),
    ({"gpus": 0, "extra": {"nvidia.com/gpu.shared": 8}, "labels": TIME_SLICED}, True,
     "nvidia.com/gpu.shared capacity 8, allocatable 8",
     f"8 = {TWO_GPUS} x 4 replicas (nvidia.com/gpu.sharing-strategy=time-slicing)"),
    ({"gpus": 4, "labels": TIME_SLICED}, False, "nvidia.com/gpu capacity 4, allocatable 4",
     f"8 = {TWO_GPUS} x 4 replicas (nvidia.com/gpu.sharing-strategy=time-slicing)"),
    # An unhealthy shared GPU takes its replicas out of allocatable only: HEALTH-ALLOCATABLE's finding.
    ({"gpus": 8, "allocatable": 4, "labels": TIME_SLICED}, True, "nvidia.com/gpu capacity 8, allocatable 4",
     f"8 = {TWO_GPUS} x 4 replicas"),
])
def test_shared_gpus_count_as_gpus_times_replicas(node_args: dict[str, Any], ok: bool, found: str,
                                                   according: str) -> None:
    """A time-sliced node with 2 GPUs and 4 replicas advertises 8; anything else is a mismatch."""
    verdict = capacity_matches_gpus(gpu_node(**node_args), outcome(probe()), SETTINGS)
    assert verdict.ok is ok and not verdict.skip, verdict.message
    prefix = "found " if ok else "[CAPACITY-MATCHES-GPUS] found "
    assert verdict.message.startswith(f"{prefix}{found}"), verdict.message
    assert according in verdict.message


def test_unshared_gfd_labels_do_not_skip() -> None:
    labels = {"nvidia.com/gpu.replicas": "1", "nvidia.com/gpu.sharing-strategy": "none",
              "nvidia.com/mig.strategy": "single", "nvidia.com/gpu.product": "NVIDIA-GeForce-RTX-4090"}
    assert capacity_matches_gpus(gpu_node(labels=labels), outcome(probe()), SETTINGS).ok


def test_nothing_advertised_skips_to_capacity_advertised() -> None:
    verdict = capacity_matches_gpus(gpu_node(gpus=0), outcome(probe(gpus=missing(NVML_GPUS, "x"))), SETTINGS)
    assert verdict.skip
    assert verdict.message == ("[CAPACITY-MATCHES-GPUS] node k8s-node05 advertises no nvidia.com/gpu: "
                               "see CAPACITY-ADVERTISED")


SERVER = "https://127.0.0.1:6443"
PLAIN = gpu_node(name="k8s-node07", gpus=0)  # the tutorial's label, nothing advertised


@pytest.mark.parametrize(("nodes", "expected", "ok", "found"), [
    ([], None, False, "[CAPACITY-GPU-NODES] found no GPU node at the nodes of https://127.0.0.1:6443"),
    ([gpu_node()], None, True, "found 1 GPU node advertising GPUs at"),
    ([gpu_node(), gpu_node(name="k8s-node06")], 2, True, "found 2 GPU nodes advertising GPUs at"),
    ([gpu_node(), PLAIN], 2, False,
     "[CAPACITY-GPU-NODES] found 1 GPU node advertising GPUs, 1 node looking like GPU nodes that advertise none: "
     "k8s-node07 (label gpu-node=true, matches --gpu-node-selector) at the nodes of https://127.0.0.1:6443, "
     "expected 2 GPU nodes advertising GPUs (--expected-gpu-nodes); fix: see CAPACITY-ADVERTISED for each node "
     "that advertises none"),
    ([gpu_node(), PLAIN], None, True, "found 1 GPU node advertising GPUs, 1 node looking like GPU nodes"),
])
def test_gpu_nodes_found_counts_those_advertising_gpus(nodes: list[GpuNode], expected: int | None, ok: bool,
                                                       found: str) -> None:
    verdict = gpu_nodes_found(nodes, SERVER, expected)
    assert verdict.ok is ok and verdict.message.startswith(found), verdict.message


def test_expected_gpu_nodes_is_a_whole_number() -> None:
    assert resolve({"expected_gpu_nodes": "4"}).expected_gpu_nodes == 4
    with pytest.raises(UsageError, match=r"^command line: expected-gpu-nodes: expected a whole number, got 'four'$"):
        resolve({"expected_gpu_nodes": "four"})
