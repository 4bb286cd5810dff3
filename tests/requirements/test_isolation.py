"""Secure accelerator access, judged on what the isolation pods saw: each check passing and failing on facts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.checks import ISOLATION_FIX
from gpu_conformance.facts.container_view import ContainerView
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.isolation import container_isolation, env_no_gpu, no_request_no_gpu, pod_isolation

from .builders import NODE, gpu_node
from .isolation_builders import EVERY_GPU, GPU0, GPU1, NOT_FOUND, NOTHING, POD, facts, holding, look


def test_a_pod_without_a_request_that_sees_nothing_passes() -> None:
    verdict = no_request_no_gpu(facts())
    assert verdict.ok and not verdict.skip
    assert verdict.message == (f"found no GPU device file in /dev; no GPU in NVML ({NOT_FOUND}); "
                               f'NVIDIA_VISIBLE_DEVICES "all" at {POD} container image-env on node {NODE} '
                               "(no GPU requested)")


def test_the_image_env_leak_fails_naming_what_the_pod_saw_and_the_fix() -> None:
    verdict = no_request_no_gpu(facts(image_env=EVERY_GPU))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[SEC-NO-REQUEST-NO-GPU] found /dev/nvidia0, /dev/nvidia1; 2 GPUs in NVML ({GPU0.uuid}, {GPU1.uuid}); "
        f'NVIDIA_VISIBLE_DEVICES "all" at {POD} container image-env')
    assert "expected no /dev/nvidiaN device file and no GPU in NVML in a container that requests no GPU" in \
        verdict.message
    assert verdict.message.endswith(f"; fix: {ISOLATION_FIX}")
    assert "accept-nvidia-visible-devices-envvar-when-unprivileged = false" in ISOLATION_FIX
    assert "DEVICE_LIST_STRATEGY=volume-mounts" in ISOLATION_FIX and "CDI" in ISOLATION_FIX


def test_device_files_alone_are_a_leak() -> None:
    verdict = env_no_gpu(facts(pod_env=ContainerView("/dev", ("/dev/nvidia0",), (), NOT_FOUND, "all")))
    assert not verdict.ok and verdict.message.startswith("[SEC-ENV-NO-GPU] found /dev/nvidia0; no GPU in NVML")


def test_the_pod_spec_env_is_judged_apart_from_the_image_env() -> None:
    leaky = facts(pod_env=EVERY_GPU)
    assert no_request_no_gpu(leaky).ok and not env_no_gpu(leaky).ok


def test_a_container_that_could_not_run_is_could_not_inspect() -> None:
    broken = replace(facts(), image_env=look(None, problem='image "x" could not be pulled (ErrImagePull): denied'))
    with pytest.raises(FactsUnavailable, match=r'^\[SEC-NO-REQUEST-NO-GPU\] could not inspect pod .* container '
                                               r'image-env on node k8s-node05 \(no GPU requested\): image "x" could'):
        no_request_no_gpu(broken)


def test_container_isolation_passes_when_only_the_holder_sees_its_gpu() -> None:
    verdict = container_isolation(facts())
    assert verdict.ok and verdict.message.endswith(f"beside the holder of {GPU0.uuid} at {POD} container bystander "
                                                   f"on node {NODE} (no GPU requested)")


def test_a_bystander_that_sees_the_pods_gpu_fails() -> None:
    verdict = container_isolation(facts(bystander=replace(holding(GPU0, 0), visible_devices="")))
    assert not verdict.ok
    assert verdict.message.startswith(f'[SEC-CONTAINER-ISOLATION] found /dev/nvidia0; 1 GPU in NVML ({GPU0.uuid}); '
                                      f'NVIDIA_VISIBLE_DEVICES "" (its pod\'s holder: /dev/nvidia0')


@pytest.mark.parametrize(("holder", "found"), [
    (EVERY_GPU, "2 GPUs in a container holding 1"),
    (replace(NOTHING, visible_devices=GPU0.uuid), "0 GPUs in a container holding 1"),
])
def test_a_holder_that_does_not_see_exactly_one_says_so(holder: ContainerView, found: str) -> None:
    verdict = container_isolation(facts(holder=holder))
    assert not verdict.ok and verdict.message.startswith(f"[SEC-CONTAINER-ISOLATION] found {found}: ")
    assert "expected exactly 1 GPU in a container that requests 1" in verdict.message


def test_without_nvml_the_device_files_tell_the_gpus_apart() -> None:
    holder = ContainerView("/dev", ("/dev/nvidia1",), (), NOT_FOUND, GPU1.uuid)
    other = ContainerView("/dev", ("/dev/nvidia1",), (), NOT_FOUND, GPU1.uuid)
    verdict = pod_isolation(facts(holder=holder, other=other), gpu_node())
    assert not verdict.ok and verdict.message.startswith("[SEC-POD-ISOLATION] found both pods hold /dev/nvidia1: ")


def test_two_pods_with_different_gpus_pass() -> None:
    verdict = pod_isolation(facts(), gpu_node())
    assert verdict.ok and not verdict.skip
    assert verdict.message.startswith(f"found {GPU0.uuid} and {GPU1.uuid}, held at the same time at ")


def test_two_pods_with_the_same_gpu_fail_with_the_isolation_fix() -> None:
    verdict = pod_isolation(facts(other=holding(GPU0, 0)), gpu_node())
    assert not verdict.ok
    assert verdict.message.startswith(f"[SEC-POD-ISOLATION] found both pods hold {GPU0.uuid}: /dev/nvidia0; ")
    assert "expected different GPUs in two pods holding 1 GPU each at the same time" in verdict.message
    assert "sharing is on" not in verdict.message and ISOLATION_FIX in verdict.message


@pytest.mark.parametrize("labels", [
    {"nvidia.com/gpu.replicas": "4", "nvidia.com/gpu.sharing-strategy": "time-slicing"},
    {"nvidia.com/gpu.sharing-strategy": "mps"},
])
def test_with_gpu_sharing_the_failure_names_sharing_as_the_cause(labels: dict[str, str]) -> None:
    node = gpu_node(gpus=8, labels=labels)
    verdict = pod_isolation(facts(other=holding(GPU0, 0)), node)
    assert not verdict.ok and f"fix: GPU sharing is on on node {NODE} (nvidia.com/gpu.sharing-strategy=" in \
        verdict.message
    assert "and is the cause" in verdict.message


def test_a_node_with_one_gpu_is_skipped_saying_why() -> None:
    verdict = pod_isolation(facts(with_other=False), gpu_node(gpus=1))
    assert verdict.skip and verdict.message == (f"[SEC-POD-ISOLATION] node {NODE} has 1 allocatable nvidia.com/gpu: "
                                                "two pods cannot hold one each at the same time")


def test_a_second_holder_that_could_not_run_is_could_not_inspect() -> None:
    pending = replace(facts(), other_holder=look(None, "holder", "unschedulable after 10s: 0/3 nodes are available: "
                                                                  "1 Insufficient nvidia.com/gpu."))
    with pytest.raises(FactsUnavailable, match=r"\[SEC-POD-ISOLATION\] could not inspect .*Insufficient nvidia"):
        pod_isolation(pending, gpu_node())



def test_mig_instances_are_not_told_apart_and_say_so() -> None:
    node = gpu_node(gpus=0, extra={"nvidia.com/mig-1g.5gb": 7})
    verdict = pod_isolation(facts(other=holding(GPU0, 0)), node)
    assert verdict.skip and "hands out MIG instances (nvidia.com/mig-1g.5gb)" in verdict.message
