"""WORKLOAD-VECTORADD per outcome, and WORKLOAD-DRIVER-FITS-IMAGE against the CUDA/driver table."""

from __future__ import annotations

import dataclasses

import pytest

from gpu_conformance.checks import WORKLOAD_VECTORADD
from gpu_conformance.facts.cluster import ProbeOutcome, WorkloadOutcome, WorkloadResult
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.node import Observed
from gpu_conformance.requirements.workload import driver_fits_image, vectoradd_passes
from gpu_conformance.settings import TUTORIAL_VECTORADD, Settings

from .builders import NVML_DRIVER, failed_outcome, gpu_node, outcome, probe

POD = "gpu-conformance/vectoradd-k8s-node05-4kq9z"
WHERE = f"pod {POD} on node k8s-node05"
PASSED_LOG = ("[Vector addition of 50000 elements]\nCopy input data from the host memory to the CUDA device\n"
              "CUDA kernel launch with 196 blocks of 256 threads\n"
              "Copy output data from the CUDA device to the host memory\nTest PASSED\nDone\n")
INSUFFICIENT = ("Failed to allocate device vector A (error code CUDA driver version is insufficient for CUDA "
                "runtime version)!")
SCHEDULER = ("0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint "
             "{node-role.kubernetes.io/control-plane: }. preemption: 0/3 nodes are available: 1 No "
             "preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.")
PULL = (f'Failed to pull image "{TUTORIAL_VECTORADD}": rpc error: code = Unknown desc = failed to pull and '
        "unpack image: dial tcp: lookup nvcr.io: no such host")
EXPECTED = f'expected "Test PASSED" from {TUTORIAL_VECTORADD} with 1 nvidia.com/gpu'


def _workload(result: WorkloadResult, detail: str = "", log: str = "", events: tuple[str, ...] = (),
              image: str = TUTORIAL_VECTORADD) -> WorkloadOutcome:
    return WorkloadOutcome("k8s-node05", result, detail, image, POD, log, events)


def _old_driver(version: str) -> Observed[str]:
    return Observed(version, NVML_DRIVER)


def test_passed() -> None:
    verdict = vectoradd_passes(_workload("passed", "Test PASSED", PASSED_LOG), outcome(probe()), gpu_node())
    assert (verdict.ok, verdict.message) == (
        True, f"found Test PASSED in pod {POD} at the log of {TUTORIAL_VECTORADD} on node k8s-node05")


def test_busy_gpus_skip() -> None:
    detail = "nvidia.com/gpu: 2 allocatable, 2 requested by running pods"
    verdict = vectoradd_passes(_workload("gpus_busy", detail), outcome(probe()), gpu_node())
    assert verdict.skip and verdict.message == (
        "[WORKLOAD-VECTORADD] every GPU of node k8s-node05 is in use, so the vectoradd pod could not get "
        f"one: {detail}")


OWN = "(the scheduler's reason for this node; the others it gave are about other nodes)"
CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
DEDICATED = ("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: ml}, 2 node(s) didn't match "
             "Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for "
             "scheduling.")
CORDONED = ("0/3 nodes are available: 1 node(s) were unschedulable, 2 node(s) didn't match Pod's node "
            "affinity/selector.")


@pytest.mark.parametrize(("detail", "node", "found", "fix"), [
    (SCHEDULER, gpu_node(), f'"Insufficient nvidia.com/gpu" {OWN}',
     "the node advertises no free GPU: see CAPACITY-ADVERTISED"),
    (SCHEDULER, gpu_node(taints=(CONTROL_PLANE,), allocatable=0),
     f'"Insufficient nvidia.com/gpu, had untolerated taint {{node-role.kubernetes.io/control-plane: }}" {OWN}',
     "the node advertises no free GPU: see CAPACITY-ADVERTISED; tolerate the node's taint with --tolerate-taint"),
    (DEDICATED, gpu_node(taints=({"key": "dedicated", "value": "ml", "effect": "NoSchedule"},)),
     f'"had untolerated taint {{dedicated: ml}}" {OWN}', "tolerate the node's taint with --tolerate-taint"),
    (CORDONED, dataclasses.replace(gpu_node(), unschedulable=True), f'"were unschedulable" {OWN}',
     "the node is cordoned: `kubectl uncordon k8s-node05`"),
    ("0/1 nodes are available: 1 node(s) had volume node affinity conflict.", gpu_node(),
     f'"had volume node affinity conflict" {OWN}', WORKLOAD_VECTORADD.remediation),
    ("pod has unbound immediate PersistentVolumeClaims", gpu_node(),
     '"pod has unbound immediate PersistentVolumeClaims"', WORKLOAD_VECTORADD.remediation),
])
def test_unschedulable_quotes_only_the_reasons_of_its_node(detail: str, node: GpuNode, found: str,
                                                            fix: str) -> None:
    verdict = vectoradd_passes(_workload("unschedulable", detail), outcome(probe()), node)
    assert verdict.message.startswith(f"[WORKLOAD-VECTORADD] found pod {POD} unschedulable: {found} at {WHERE}, "
                                      "expected the pod scheduled on node k8s-node05 with 1 nvidia.com/gpu")
    assert f"; fix: {fix}" in verdict.message, verdict.message
    assert "control-plane" not in verdict.message or node.taints


def test_image_pull_gives_the_air_gap_hint() -> None:
    verdict = vectoradd_passes(_workload("image_pull", PULL), outcome(probe()), gpu_node())
    assert verdict.message == (
        f"[WORKLOAD-VECTORADD] found image {TUTORIAL_VECTORADD} not pulled: {PULL} at {WHERE}, {EXPECTED}; "
        f"fix: make {TUTORIAL_VECTORADD} reachable from the node; on air-gapped clusters mirror it and pass "
        "--vectoradd-image MIRROR/k8s/cuda-sample:vectoradd-cuda10.2")


def test_cuda_error_with_a_driver_too_old_for_the_image() -> None:
    node_probe = probe(driver_nvml=_old_driver("418.87.01"))
    verdict = vectoradd_passes(_workload("cuda_error", INSUFFICIENT), outcome(node_probe), gpu_node())
    assert verdict.message == (
        f'[WORKLOAD-VECTORADD] found CUDA error in pod {POD}: "{INSUFFICIENT}" at {WHERE}, {EXPECTED}; fix: '
        f"driver 418.87.01 at {NVML_DRIVER} is older than 440.33, the minimum for CUDA 10.2 of "
        f"{TUTORIAL_VECTORADD}: upgrade the driver, or pass --vectoradd-image with an image for an older "
        "CUDA")


def test_cuda_error_with_a_fitting_driver_points_at_the_chain() -> None:
    error = "Failed to allocate device vector A (error code initialization error)!"
    verdict = vectoradd_passes(_workload("cuda_error", error), outcome(probe()), gpu_node())
    assert verdict.message.endswith("fix: the container could not use the GPU: see PRE-DRIVER, "
                                    "PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for node k8s-node05")


def test_timeout_shows_the_last_event() -> None:
    events = ("Scheduled: Successfully assigned gpu-conformance/vectoradd-k8s-node05-4kq9z to k8s-node05",
              f"Pulling: Pulling image \"{TUTORIAL_VECTORADD}\"")
    verdict = vectoradd_passes(_workload("timeout", "still Pending after 300 s", events=events),
                               outcome(probe()), gpu_node())
    assert verdict.message.startswith(
        f"[WORKLOAD-VECTORADD] found pod {POD} not done in time: still Pending after 300 s (last event: "
        f'Pulling: Pulling image "{TUTORIAL_VECTORADD}") at {WHERE}, {EXPECTED}; fix: `kubectl describe pod`')


def test_failed_quotes_the_log() -> None:
    log = "[Vector addition of 50000 elements]\nResult verification failed at element 17!\n"
    verdict = vectoradd_passes(_workload("failed", "exit code 1", log), outcome(probe()), gpu_node())
    assert verdict.message.startswith(f'[WORKLOAD-VECTORADD] found pod {POD} failed: exit code 1; log: '
                                      f'"Result verification failed at element 17!" at {WHERE}')


IMAGES = [
    (TUTORIAL_VECTORADD, "440.33", "10.2"),
    ("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda11.7.1-ubuntu20.04", "450.80.02", "11.7"),
    ("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0", "525.60.13", "12.5"),
    ("nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda13.0.0", "580.65.06", "13.0"),
]


@pytest.mark.parametrize(("image", "need", "cuda"), IMAGES)
def test_driver_fits_image(image: str, need: str, cuda: str) -> None:
    settings = Settings(vectoradd_image=image)
    fits = driver_fits_image(outcome(probe(driver_nvml=_old_driver(need))), gpu_node(), settings)
    assert fits.message == f"found driver {need} (CUDA {cuda} of {image} needs >= {need}) at {NVML_DRIVER}"
    older = driver_fits_image(outcome(probe(driver_nvml=_old_driver("418.87.01"))), gpu_node(), settings)
    assert older.message.startswith(
        f"[WORKLOAD-DRIVER-FITS-IMAGE] found driver 418.87.01 at {NVML_DRIVER}, expected >= {need}, the "
        f"minimum driver for CUDA {cuda} ({image}); fix: upgrade the NVIDIA driver to >= {need}")


CUDA_9_IMAGE = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda9.0"


@pytest.mark.parametrize(("driver", "image", "floor", "fix"), [
    ("384.81", TUTORIAL_VECTORADD, "384.81",
     "upgrade the NVIDIA driver to >= 440.33 (PRE-DRIVER's floor 384.81 is too old for this image), or pass "
     "--vectoradd-image with a tag built for CUDA 9.0 or older (driver 384.81 runs CUDA up to 9.0)"),
    ("384.80", CUDA_9_IMAGE, "384.81",  # the floor is what the image needs: naming it would contradict the fix
     "upgrade the NVIDIA driver to >= 384.81; driver 384.80 predates every CUDA the vectoradd images are built for"),
    ("375.26", TUTORIAL_VECTORADD, "384.81",
     "upgrade the NVIDIA driver to >= 440.33 (PRE-DRIVER's floor 384.81 is too old for this image); driver 375.26 "
     "predates every CUDA the vectoradd images are built for"),
    ("418.87.01", TUTORIAL_VECTORADD, "450.0",  # a floor above the image's need is PRE-DRIVER's business
     "upgrade the NVIDIA driver to >= 440.33, or pass --vectoradd-image with a tag built for CUDA 10.1 or older "
     "(driver 418.87.01 runs CUDA up to 10.1)"),
])
def test_the_fix_never_contradicts_itself(driver: str, image: str, floor: str, fix: str) -> None:
    settings = Settings(vectoradd_image=image, min_driver=floor)
    verdict = driver_fits_image(outcome(probe(driver_nvml=_old_driver(driver))), gpu_node(), settings)
    assert not verdict.ok and verdict.message.endswith(f"; fix: {fix}"), verdict.message


def test_r535_runs_cuda_12_2_but_not_13() -> None:
    settings = Settings(vectoradd_image="nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda13.0.0")
    verdict = driver_fits_image(outcome(probe()), gpu_node(), settings)
    assert verdict.message.endswith("a tag built for CUDA 12.2 or older (driver 535.104.05 runs CUDA up to 12.2)")


def test_driver_from_gfd_when_the_probe_failed() -> None:
    node = gpu_node(labels={"nvidia.com/cuda.driver-version.full": "550.54.15"})
    verdict = driver_fits_image(failed_outcome(), node, Settings())
    assert verdict.message == (
        f"found driver 550.54.15 (CUDA 10.2 of {TUTORIAL_VECTORADD} needs >= 440.33) at GPU Feature "
        "Discovery label nvidia.com/cuda.driver-version.full=550.54.15 on node k8s-node05 metadata.labels")


@pytest.mark.parametrize(("image", "node_outcome", "reason"), [
    ("registry.local/cuda-sample:latest", outcome(probe()),
     "the tag of registry.local/cuda-sample:latest names no CUDA version (vectoradd-cudaX.Y)"),
    (TUTORIAL_VECTORADD, failed_outcome(),
     "the driver version of node k8s-node05 is unknown: see PRE-DRIVER"),
])
def test_driver_fits_image_skips(image: str, node_outcome: ProbeOutcome, reason: str) -> None:
    verdict = driver_fits_image(node_outcome, gpu_node(), Settings(vectoradd_image=image))
    assert verdict.skip and reason in verdict.message
