"""default-scheduler: the real FailedScheduling wording, and binding once something fits."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from gpusim.model import ClusterVersion, DevicePluginSetup, Scenario
from gpusim.resources import NODE, POD

from .conftest import CONTROL_PLANE, Sim, gpu_node, pod_manifest, scenario


def _capacity(sim: Sim, node: str) -> str | None:
    return sim.store.get(NODE, "", node)["status"]["allocatable"].get("nvidia.com/gpu")


@pytest.mark.parametrize(("minor", "preemption"), [
    ("28", "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod."),
    ("34", "3 Preemption is not helpful for scheduling."),  # kubernetes#131345: bigger than the node
])
def test_too_many_gpus_gets_the_real_fit_error(start_sim: Callable[[Scenario], Sim], minor: str,
                                               preemption: str) -> None:
    sim = start_sim(scenario(CONTROL_PLANE, gpu_node("gpu-1", "127.0.10.2"), gpu_node("gpu-2", "127.0.10.3"),
                             plugin=DevicePluginSetup(style="static"),
                             version=ClusterVersion("1", minor, f"v1.{minor}.0")))
    sim.wait(lambda: _capacity(sim, "gpu-1") == "2" and _capacity(sim, "gpu-2") == "2", what="GPU capacity")
    sim.store.create(POD, pod_manifest("greedy", "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0", gpus=3))
    events = sim.wait(lambda: sim.events("greedy", "FailedScheduling"), what="FailedScheduling")
    expected = ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
                f"2 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: {preemption}")
    assert events[0]["message"] == expected
    assert events[0]["type"] == "Warning" and events[0]["reportingComponent"] == "default-scheduler"
    cond = next(c for c in sim.pod("greedy")["status"]["conditions"] if c["type"] == "PodScheduled")  # type: ignore[index]
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", expected)


def test_busy_gpus_leave_room_for_preemption_wording_and_retry(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2", count=1), plugin=DevicePluginSetup(style="static")))
    sim.wait(lambda: _capacity(sim, "gpu-1") == "1", what="GPU capacity")
    sim.store.create(POD, pod_manifest("holder", "busybox:1.36", command=["sleep", "3600"], gpus=1))
    sim.wait(lambda: sim.phase("holder") == "Running", what="holder running")
    sim.store.create(POD, pod_manifest("waiter", "busybox:1.36", command=["sleep", "1"], gpus=1))
    events = sim.wait(lambda: sim.events("waiter", "FailedScheduling"), what="FailedScheduling")
    assert events[0]["message"] == ("0/1 nodes are available: 1 Insufficient nvidia.com/gpu. preemption: 0/1 nodes "
                                    "are available: 1 No preemption victims found for incoming pod.")
    sim.store.delete(POD, "default", "holder")
    scheduled = sim.wait(lambda: sim.events("waiter", "Scheduled"), what="retry after the GPU is freed")
    assert scheduled[0]["message"] == "Successfully assigned default/waiter to gpu-1"
    assert sim.pod("waiter")["spec"]["nodeName"] == "gpu-1"  # type: ignore[index]
