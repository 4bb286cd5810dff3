"""The vectoradd workload, as the tutorial runs it, on healthy and broken GPU nodes."""

from __future__ import annotations

from collections.abc import Callable

from gpusim.model import HostState, Scenario
from gpusim.resources import JOB, POD

from .conftest import RUNC, Sim, gpu_node, pod_manifest, scenario

VECTORADD = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0"
PASSED_LINES = [
    "[Vector addition of 50000 elements]",
    "Copy input data from the host memory to the CUDA device",
    "CUDA kernel launch with 196 blocks of 256 threads",
    "Copy output data from the CUDA device to the host memory",
    "Test PASSED",
    "Done",
]
INSUFFICIENT = ("Failed to allocate device vector A (error code CUDA driver version is insufficient for CUDA "
                "runtime version)!")


def test_vectoradd_job_succeeds_on_a_healthy_gpu_node(start_sim: Callable[[Scenario], Sim]) -> None:
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2")))
    template = pod_manifest("cuda", VECTORADD)
    job = {"metadata": {"name": "vectoradd", "namespace": "default"},
           "spec": {"backoffLimit": 0, "completions": 1, "parallelism": 1,
                    "template": {"metadata": {}, "spec": template["spec"]}}}
    sim.store.create(JOB, job)
    done = sim.wait(lambda: (sim.store.find(JOB, "default", "vectoradd") or {}).get("status", {}).get("succeeded"),
                    what="job success")
    assert done == 1
    status = sim.store.get(JOB, "default", "vectoradd")["status"]
    assert [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert status["conditions"][1]["reason"] == "CompletionsReached"
    pod = sim.pods()[0]
    assert sim.log(pod["metadata"]["name"], "cuda").splitlines() == PASSED_LINES
    state = pod["status"]["containerStatuses"][0]["state"]["terminated"]
    assert (state["exitCode"], state["reason"]) == (0, "Completed")
    assert [e["message"] for e in sim.events("vectoradd", "Completed")] == ["Job completed"]


def test_vectoradd_fails_when_the_runtime_does_not_inject_the_driver(start_sim: Callable[[Scenario], Sim]) -> None:
    host = HostState(driver_version="535.104.05", runtime=RUNC)
    sim = start_sim(scenario(gpu_node("gpu-1", "127.0.10.2", host=host)))
    sim.store.create(POD, pod_manifest("cuda", VECTORADD))
    sim.wait(lambda: sim.phase("cuda") == "Failed", what="pod failure")
    assert sim.log("cuda", "cuda").strip() == INSUFFICIENT
    terminated = sim.pod("cuda")["status"]["containerStatuses"][0]["state"]["terminated"]  # type: ignore[index]
    assert (terminated["exitCode"], terminated["reason"]) == (1, "Error")


def test_old_driver_cannot_run_a_newer_cuda_image(start_sim: Callable[[Scenario], Sim]) -> None:
    node = gpu_node("gpu-1", "127.0.10.2", host=HostState(driver_version="470.82.01"))
    sim = start_sim(scenario(node))
    sim.store.create(POD, pod_manifest("cuda", VECTORADD))
    sim.wait(lambda: sim.phase("cuda") == "Failed", what="pod failure")
    assert INSUFFICIENT in sim.log("cuda", "cuda")
