"""HEALTH-FABRIC: an NVSwitch node's Fabric Manager runs and every GPU's fabric is Completed; other nodes skip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.cluster import WorkloadOutcome
from gpu_conformance.facts.node import FabricHost, GpuFabric, NodeProbe, Observed
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.health_fabric import fabric_initialised
from gpu_conformance.requirements.workload import vectoradd_passes
from tests.requirements.builders import FABRIC_HOST, HOST, NVML_FABRIC, gpu_node, outcome, probe

pytestmark = pytest.mark.unit

SWITCHES = tuple(f"{HOST}/dev/nvidia-nvswitch{i}" for i in range(4))
BINARY = f"{HOST}/usr/bin/nv-fabricmanager"
UUIDS = tuple(f"GPU-{i}" for i in range(8))


def hgx(state: str = "Completed", status: str = "Success", pids: tuple[int, ...] = (2143,),
        binary: str | None = BINARY, switches: tuple[str, ...] = SWITCHES) -> NodeProbe:
    """An HGX H100 node as the probe sees it: four NVSwitches, eight GPUs in one fabric state."""
    gpus = tuple(GpuFabric(uuid, state, status) for uuid in UUIDS)
    return probe(fabric_gpus=Observed(gpus, NVML_FABRIC),
                 fabric_host=Observed(FabricHost(switches, pids, binary), FABRIC_HOST))


def test_a_node_without_nvswitch_is_skipped_saying_why() -> None:
    verdict = fabric_initialised(outcome(probe()))
    assert verdict.skip
    assert verdict.message == (f"[HEALTH-FABRIC] node k8s-node05 has no NVSwitch: no /dev/nvidia-nvswitch* at "
                               f"{FABRIC_HOST}, and NVML places none of its GPUs on an NVLink fabric: it needs no "
                               "fabric manager")


def test_a_running_manager_with_a_completed_fabric_passes() -> None:
    verdict = fabric_initialised(outcome(hgx()))
    assert verdict.ok and not verdict.skip
    assert verdict.message.startswith(f"found 4 NVSwitches ({', '.join(SWITCHES)}), nv-fabricmanager running (pid "
                                      "2143); ")
    assert "; fabric state Completed, status Success on 8 GPUs at " in verdict.message


def test_a_missing_manager_fails_naming_the_state_and_the_install() -> None:
    verdict = fabric_initialised(outcome(hgx("Not Started", "", pids=(), binary=None)))
    assert not verdict.ok
    assert verdict.message.startswith(f"[HEALTH-FABRIC] found 4 NVSwitches ({', '.join(SWITCHES)}), no "
                                      "nv-fabricmanager process, and none installed; ")
    assert "; fabric state Not Started on all 8 GPUs at " in verdict.message
    assert ("; fix: install the Fabric Manager of exactly the driver's version 535.104.05 (package "
            "nvidia-fabricmanager-<driver branch>") in verdict.message


def test_a_stopped_manager_fails_with_the_command_to_start_it() -> None:
    verdict = fabric_initialised(outcome(hgx("Not Started", "", pids=())))
    assert f"), no nv-fabricmanager process (installed at {BINARY}, not running); " in verdict.message
    assert "fix: `systemctl enable --now nvidia-fabricmanager`" in verdict.message


def test_a_running_manager_still_training_fails_pointing_at_its_log() -> None:
    verdict = fabric_initialised(outcome(hgx("In Progress", "")))
    assert not verdict.ok
    assert "fabric state In Progress on all 8 GPUs" in verdict.message
    assert "fix: the fabric manager runs but has not completed the fabric: read /var/log/fabricmanager.log" in \
        verdict.message


def test_a_completed_fabric_with_an_error_status_fails() -> None:
    verdict = fabric_initialised(outcome(hgx("Completed", "Unknown Error")))
    assert not verdict.ok and "fabric state Completed, status Unknown Error on all 8 GPUs" in verdict.message


def test_gpus_before_hopper_are_judged_by_the_manager_alone() -> None:
    older = tuple(GpuFabric(uuid, "Not Supported", "") for uuid in UUIDS)
    running = hgx()
    verdict = fabric_initialised(outcome(replace(running, fabric_gpus=Observed(older, NVML_FABRIC))))
    assert verdict.ok and "no fabric state from NVML (GPUs before Hopper)" in verdict.message


def test_an_unreadable_fabric_state_under_a_running_manager_is_could_not_inspect() -> None:
    unread = replace(hgx(), fabric_gpus=Observed.missing(NVML_FABRIC, "nvmlInit: Driver Not Loaded"))
    with pytest.raises(FactsUnavailable, match=r"could not inspect the GPUs' fabric state of node k8s-node05: "
                                               "nvmlInit: Driver Not Loaded"):
        fabric_initialised(outcome(unread))


def test_an_older_probe_is_could_not_inspect() -> None:
    old = replace(probe(), fabric_host=Observed.missing("probe.fabric_host", "the probe's output is of schema 3"))
    with pytest.raises(FactsUnavailable, match="could not inspect the NVSwitch fabric of node k8s-node05: the probe's "
                                               "output is of schema 3"):
        fabric_initialised(outcome(old))


def test_vectoradd_error_802_names_the_fabric_manager() -> None:
    line = "Failed to allocate device vector A (error code system not yet initialized)!"
    workload = WorkloadOutcome("k8s-node05", "cuda_error", line, "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.2.2",
                               "gpu-conformance/vectoradd-x", line, ())
    verdict = vectoradd_passes(workload, outcome(hgx("Not Started", "", pids=(), binary=None)), gpu_node())
    assert not verdict.ok
    assert ("fix: CUDA error 802 (cudaErrorSystemNotReady): the GPUs' NVSwitch fabric of node k8s-node05 is not "
            "initialised: start the Fabric Manager") in verdict.message
