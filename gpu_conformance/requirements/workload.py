"""The tutorial's vectoradd pod, and whether the node's driver can run the image's CUDA at all."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gpu_conformance.checks import WORKLOAD_DRIVER_FITS_IMAGE, WORKLOAD_VECTORADD, Check
from gpu_conformance.cuda import image_cuda_version, minimum_driver, newest_cuda, version_tuple
from gpu_conformance.facts.cluster import ProbeOutcome, WorkloadOutcome
from gpu_conformance.facts.gpu_nodes import WHOLE_GPU, GpuNode
from gpu_conformance.requirements.driver_facts import known_driver
from gpu_conformance.requirements.health_fabric import CUDA_NOT_READY
from gpu_conformance.requirements.wording import (
    at_least_or_unavailable,
    cuda_text,
    driver_text,
    key_line,
    quoted,
)
from gpu_conformance.settings import TUTORIAL_VECTORADD, Settings
from gpu_conformance.verdict import Verdict

# "0/3 nodes are available: 1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {k: v}. preemption: ..."
_COUNTS = re.compile(r"\d+/\d+ nodes are available: (?P<reasons>.*?)\.(?: preemption:|$)")
_COUNT = re.compile(r"^\d+ (node\(s\) )?")
_TAINT = re.compile(r"untolerated taint\(?s?\)? \{(?P<key>[^:}]+):")
# The scheduler's reasons (FailedScheduling) and what to do about each.
_SCHEDULING_HINTS = (
    (f"Insufficient {WHOLE_GPU}", "the node advertises no free GPU: see CAPACITY-ADVERTISED"),
    ("untolerated taint", "tolerate the node's taint with --tolerate-taint key[=value]:Effect"),
    ("were unschedulable", "the node is cordoned: `kubectl uncordon NODE`"),
    ("didn't match Pod's node affinity/selector", "the pod is pinned to the node: is the node name right?"),
)


Hints = tuple[tuple[str, str], ...]  # (a reason the scheduler gives, what to do about it)


@dataclass(frozen=True)
class _Run:
    """One vectoradd outcome with the wording its verdicts share: the check judged, how its pod asked for the GPU
    ("1 nvidia.com/gpu" or a claim) and the hints for the scheduler's reasons."""

    workload: WorkloadOutcome
    outcome: ProbeOutcome
    node: GpuNode
    check: Check = WORKLOAD_VECTORADD
    asked: str = f"1 {WHOLE_GPU}"
    hints: Hints = _SCHEDULING_HINTS

    @property
    def pod(self) -> str:
        return self.workload.pod or f"of the vectoradd Job for {self.node.name}"

    @property
    def source(self) -> str:
        return f"pod {self.pod} on node {self.node.name}"

    def failed(self, found: str, fix: str | None = None, expected: str | None = None) -> Verdict:
        expected = expected or f'"Test PASSED" from {self.workload.image} with {self.asked}'
        return Verdict.failed(self.check, found, self.source, expected, fix)


def _passed(run: _Run) -> Verdict:
    return Verdict.passed(run.check, f"Test PASSED in pod {run.pod}",
                          f"the log of {run.workload.image} on node {run.node.name}")


def _gpus_busy(run: _Run) -> Verdict:
    return Verdict.skipped(run.check, f"every GPU of node {run.node.name} is in use, so the "
                                      f"vectoradd pod could not get one: {run.workload.detail}")


def _unschedulable(run: _Run) -> Verdict:
    detail = run.workload.detail
    own = reasons_for_node(detail, run.node)
    shown = quoted(", ".join(own)) + " (the scheduler's reason for this node; the others it gave are about other " \
        "nodes)" if own else quoted(detail)
    hints = [hint.replace("NODE", run.node.name) for reason, hint in run.hints
             if any(reason in r for r in own or [detail])]
    return run.failed(f"pod {run.pod} unschedulable: {shown}", "; ".join(hints) or None,
                      f"the pod scheduled on node {run.node.name} with {run.asked}")


def reasons_for_node(detail: str, node: GpuNode) -> list[str]:
    """The reasons of a FailedScheduling message that concern ``node``, the one node the pod is pinned to.

    The scheduler counts, per reason, the nodes its first failing filter rejected. Filters after NodeAffinity
    only ever see the pinned node, so their reasons are this node's. Those before it (NodeUnschedulable,
    TaintToleration) may be other nodes': kept only when the node is cordoned, or carries the taint named. The
    affinity mismatch is the other nodes'. [] when the message has no such counts (then it is quoted whole).
    """
    listed = _COUNTS.match(detail)
    if listed is None:
        return []
    kept = []
    for reason in (_COUNT.sub("", r).strip() for r in _split_reasons(listed.group("reasons"))):
        if "didn't match Pod's node affinity" in reason:
            continue
        if "were unschedulable" in reason and not node.unschedulable:
            continue
        taint = _TAINT.search(reason)
        if taint and not any(t.get("key") == taint.group("key") for t in node.taints):
            continue
        kept.append(reason)
    return kept


def _split_reasons(text: str) -> list[str]:
    """``1 Insufficient nvidia.com/gpu, 2 node(s) had untolerated taint {a: b}`` -> its two reasons."""
    return [part for part in re.split(r", (?=\d+ )", text) if part.strip()]


def _image_pull(run: _Run) -> Verdict:
    image = run.workload.image
    mirror = TUTORIAL_VECTORADD.replace("nvcr.io/nvidia", "MIRROR")
    return run.failed(f"image {image} not pulled: {run.workload.detail}",
                      f"make {image} reachable from the node; on air-gapped clusters mirror it and pass "
                      f"--vectoradd-image {mirror}")


def _driver_too_old(run: _Run) -> str | None:
    """Why the node's driver cannot run the image's CUDA, or None when it can or nothing says."""
    image = run.workload.image
    cuda = image_cuda_version(image)
    known = known_driver(run.outcome.probe, run.node)
    if cuda is None or known is None:
        return None
    driver, source = known
    need = driver_text(minimum_driver(cuda))
    if at_least_or_unavailable(run.check, driver, need, source):
        return None
    return (f"driver {driver} at {source} is older than {need}, the minimum for CUDA {cuda_text(cuda)} "
            f"of {image}: upgrade the driver, or pass --vectoradd-image with an image for an older CUDA")


def _fabric_not_ready(run: _Run) -> str | None:
    """CUDA error 802: the NVSwitch fabric is not initialised, whatever the driver and the runtime."""
    if CUDA_NOT_READY not in run.workload.detail:
        return None
    return (f"CUDA error 802 (cudaErrorSystemNotReady): the GPUs' NVSwitch fabric of node {run.node.name} is not "
            "initialised: start the Fabric Manager (`systemctl enable --now nvidia-fabricmanager`, of the driver's "
            "version), see HEALTH-FABRIC")


def _cuda_error(run: _Run) -> Verdict:
    fix = _driver_too_old(run) or _fabric_not_ready(run) or (
        f"the container could not use the GPU: see PRE-DRIVER, PRE-TOOLKIT and PRE-RUNTIME-DEFAULT for node "
        f"{run.node.name}")
    return run.failed(f"CUDA error in pod {run.pod}: {quoted(run.workload.detail)}", fix)


def _timeout(run: _Run) -> Verdict:
    last = run.workload.events[-1] if run.workload.events else "no events"
    return run.failed(f"pod {run.pod} not done in time: {run.workload.detail} (last event: {last})",
                      "`kubectl describe pod` shows where it waits; a slow image pull needs a longer "
                      "--pod-timeout")


def _failed(run: _Run) -> Verdict:
    line = key_line(run.workload.log, ("error", "failed", "FAILED"))
    logged = f"; log: {quoted(line)}" if line else ""
    return run.failed(f"pod {run.pod} failed: {run.workload.detail}{logged}")


_BY_RESULT: dict[str, Callable[[_Run], Verdict]] = {
    "passed": _passed, "gpus_busy": _gpus_busy, "unschedulable": _unschedulable, "image_pull": _image_pull,
    "cuda_error": _cuda_error, "timeout": _timeout, "failed": _failed,
}


def vectoradd_passes(workload: WorkloadOutcome, outcome: ProbeOutcome, node: GpuNode) -> Verdict:
    """The vectoradd pod on the node: passed; skipped when every GPU is busy; else why not, with evidence."""
    return _BY_RESULT[workload.result](_Run(workload, outcome, node))


def vectoradd_verdict(workload: WorkloadOutcome, outcome: ProbeOutcome, node: GpuNode, check: Check, asked: str,
                      hints: Hints) -> Verdict:
    """``vectoradd_passes`` for another check whose pod asks for its GPU another way (DRA-VECTORADD)."""
    return _BY_RESULT[workload.result](_Run(workload, outcome, node, check, asked, hints))


def driver_fits_image(outcome: ProbeOutcome, node: GpuNode, settings: Settings) -> Verdict:
    """A warning-style check: the tutorial's driver floor (384.81) runs no vectoradd image at all."""
    image = settings.vectoradd_image
    cuda = image_cuda_version(image)
    if cuda is None:
        return Verdict.skipped(WORKLOAD_DRIVER_FITS_IMAGE, f"the tag of {image} names no CUDA version "
                                                           "(vectoradd-cudaX.Y) to hold the driver against")
    known = known_driver(outcome.probe, node)
    if known is None:
        return Verdict.skipped(WORKLOAD_DRIVER_FITS_IMAGE, f"the driver version of node {node.name} is "
                                                           "unknown: see PRE-DRIVER")
    driver, source = known
    need = driver_text(minimum_driver(cuda))
    if at_least_or_unavailable(WORKLOAD_DRIVER_FITS_IMAGE, driver, need, source):
        found = f"driver {driver} (CUDA {cuda_text(cuda)} of {image} needs >= {need})"
        return Verdict.passed(WORKLOAD_DRIVER_FITS_IMAGE, found, source)
    return Verdict.failed(WORKLOAD_DRIVER_FITS_IMAGE, f"driver {driver}", source,
                          f">= {need}, the minimum driver for CUDA {cuda_text(cuda)} ({image})",
                          _driver_fix(driver, need, settings.min_driver))


def _driver_fix(driver: str, need: str, floor: str) -> str:
    """Upgrade to what the image needs; or, where this driver runs some CUDA, an image built for that CUDA.
    PRE-DRIVER's floor is named only when it is below what the image needs (it passed a driver this fails)."""
    fix = f"upgrade the NVIDIA driver to >= {need}"
    if version_tuple(floor) < version_tuple(need):
        fix += f" (PRE-DRIVER's floor {floor} is too old for this image)"
    runs = newest_cuda(driver)
    if runs is None:
        return fix + f"; driver {driver} predates every CUDA the vectoradd images are built for"
    newest = cuda_text(runs)
    return fix + f", or pass --vectoradd-image with a tag built for CUDA {newest} or older (driver {driver} runs " \
                 f"CUDA up to {newest})"
