"""A GPU Job per node, all at once, followed with one watch: the tutorial's CUDA vectoradd, and the opt-in
diagnostics (``JobKind``: DCGM's diag, the bandwidth probes) on the same machinery.

Jobs are pinned with a nodeSelector on the node's hostname label, not nodeName: whether the
scheduler will place a GPU pod there is part of what is tested. The pod asks for its GPU the device
plugin's way (extended resources) or, for DRA-VECTORADD, through a ResourceClaimTemplate per node (``GpuAsk``).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.cluster import WorkloadOutcome, WorkloadResult
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.unavailable import FactsUnavailable

from ..gpu_request import container_claims, gpu_limits, gpu_tolerations, pod_claims
from ..settings import Settings
from . import logs
from .api_trouble import ApiUnavailable
from .client import Connection
from .errors import api_message, denial, evidence_unavailable, one_line
from .follow_pods import follow_pods_and_logs
from .gpu_usage import gpu_usage
from .logs import NO_LOG
from .namespace import ensure_namespace
from .node_readiness import not_ready_nodes
from .pod_state import (
    IMAGE_PULL_FAILURES,
    START_FAILURES,
    container_state,
    full_name,
    last_line,
    phase,
    unschedulable_message,
)
from .retry import budget_of, create_retrying
from .run import NODE_ANNOTATION, RunContext

# A node's vectoradd outcome, or why none could be had (the API's trouble): the per-node fixture raises the latter.
NodeWorkload = WorkloadOutcome | FactsUnavailable
RuntimeClasses = Mapping[str, str | None]  # node -> the runtimeClassName of its GPU pods (None: none)
COMPONENT = "vectoradd"
CONTAINER = "vectoradd"
UNSCHEDULABLE_GRACE_SECONDS = 10.0  # a node whose GPUs are still registering may take a moment to fit
JOB_DEADLINE_MARGIN_SECONDS = 30  # the pod's own deadline fires first and says DeadlineExceeded on the pod
WATCH_MARGIN_SECONDS = 10.0
LOG_LINES = 50
CUDA_ERROR = re.compile(r"error code|CUDA error|cuda\w*Error|no CUDA-capable device", re.IGNORECASE)


@dataclass(frozen=True)
class JobKind:
    """What a GPU Job runs on each node: ``label`` names it in messages, ``image_option`` is the option that
    replaces its image (said when the image cannot be pulled), ``passed`` what its log prints when it passed,
    ``command`` its command (empty: the image's entrypoint), ``all_gpus`` whether it holds every GPU the node
    advertises (one otherwise), ``log_lines`` how much of its log the judges read, ``runs_for`` the seconds it
    takes once running, beyond --pod-timeout (DCGM's long diagnostics)."""

    label: str
    image: str
    image_option: str
    passed: str = "Test PASSED"
    command: tuple[str, ...] = ()
    all_gpus: bool = False
    log_lines: int = LOG_LINES
    runs_for: float = 0.0

    def timeout(self, settings: Settings) -> float:
        return settings.timeout + self.runs_for

    def gpus(self, node: GpuNode) -> int:
        return max(1, node.advertised_gpus) if self.all_gpus else 1


def vectoradd(settings: Settings) -> JobKind:
    return JobKind("vectoradd", settings.vectoradd_image, "--vectoradd-image")


@dataclass(frozen=True)
class GpuAsk:
    """How the vectoradd pods ask for their GPU: the device plugin's extended resources, or (``claim_templates``:
    node -> the ResourceClaimTemplate made for it) a claim; ``component`` keeps each way's Jobs and watch apart."""

    component: str = COMPONENT
    claim_templates: Mapping[str, str] = field(default_factory=dict)


def _gpu_request(ask: GpuAsk, node: GpuNode, kind: JobKind) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pod spec fields, container resources) asking for the node's GPUs the job needs."""
    template = ask.claim_templates.get(node.name)
    if template is None:
        return {}, {"limits": gpu_limits(node, kind.gpus(node))}
    return {"resourceClaims": pod_claims(template)}, container_claims()


def gpu_job(
    settings: Settings, node: GpuNode, run: RunContext, runtime_class: str | None, ask: GpuAsk | None = None,
    kind: JobKind | None = None,
) -> dict[str, Any]:
    ask, kind = ask or GpuAsk(), kind or vectoradd(settings)
    labels, annotations = run.component_labels(ask.component), {NODE_ANNOTATION: node.name}
    claims, resources = _gpu_request(ask, node, kind)
    container: dict[str, Any] = {"name": CONTAINER, "image": kind.image, "resources": resources}
    if kind.command:
        container["command"] = list(kind.command)
    pod_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "activeDeadlineSeconds": max(1, int(kind.timeout(settings))),
        "nodeSelector": {"kubernetes.io/hostname": node.labels.get("kubernetes.io/hostname", node.name)},
        "tolerations": gpu_tolerations(settings.tolerate),
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "containers": [container],
        **claims,
    }
    if runtime_class:
        pod_spec["runtimeClassName"] = runtime_class
    spec: dict[str, Any] = {
        "backoffLimit": 0,
        "activeDeadlineSeconds": max(1, int(kind.timeout(settings))) + JOB_DEADLINE_MARGIN_SECONDS,
        "template": {"metadata": {"labels": labels, "annotations": annotations}, "spec": pod_spec},
    }
    if not settings.keep_resources:  # a backstop should the run be killed before its own cleanup
        spec["ttlSecondsAfterFinished"] = max(60, int(2 * kind.timeout(settings)))
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": run.object_name(ask.component, node.name),
            "namespace": settings.namespace,
            "labels": labels,
            "annotations": annotations,
        },
        "spec": spec,
    }


def busy_nodes(conn: Connection, nodes: list[GpuNode], kind: JobKind) -> dict[str, WorkloadOutcome]:
    """Nodes where other pods hold the GPUs the job needs (one pod list for all nodes): no Job there."""
    usage = gpu_usage(conn, nodes)
    busy: dict[str, WorkloadOutcome] = {}
    for node in nodes:
        use = usage[node.name]
        resource, total = use.resource, use.allocatable
        if total > 0 and use.free < kind.gpus(node):
            held = f"all {total}" if use.free == 0 else f"{total - use.free} of {total}"
            who = use.held_by()
            detail = f"{held} {resource} of {node.name} are in use by other pods ({who}); {kind.label} not run"
            busy[node.name] = WorkloadOutcome(node.name, "gpus_busy", detail, kind.image, None, "", ())
    return busy


def _finished(pod: Any) -> bool:
    state = container_state(pod, CONTAINER)
    return phase(pod) in ("Succeeded", "Failed") or state.waiting_reason in (
        *IMAGE_PULL_FAILURES,
        *START_FAILURES,
    )


def classify(pod: Any | None, log: str, settings: Settings, kind: JobKind) -> tuple[WorkloadResult, str]:
    """(result, one-line detail) for a job's pod as last seen and its log."""
    timeout = kind.timeout(settings)
    if pod is None:
        return "timeout", f"the Job created no pod within {timeout:g}s"
    state, current = container_state(pod, CONTAINER), phase(pod)
    cuda_line = next((line.strip() for line in log.splitlines() if CUDA_ERROR.search(line)), None)
    if current == "Succeeded":
        if kind.passed in log:
            return "passed", kind.passed
        return (
            "failed",
            f"exited 0 without printing '{kind.passed}'; last line: {one_line(last_line(log), 200)}",
        )
    if state.waiting_reason in IMAGE_PULL_FAILURES:
        return "image_pull", (
            f'image "{kind.image}" could not be pulled ({state.waiting_reason}): '
            f"{one_line(state.waiting_message, 200)}; on air-gapped clusters mirror it and pass "
            f"{kind.image_option}"
        )
    if state.waiting_reason in START_FAILURES:
        return (
            "failed",
            f"container could not start ({state.waiting_reason}): {one_line(state.waiting_message, 200)}",
        )
    if current == "Failed" and pod.status.reason == "DeadlineExceeded":
        return "timeout", f"did not finish within {timeout:g}s (DeadlineExceeded)"
    if current == "Failed" and cuda_line:
        return "cuda_error", one_line(cuda_line, 300)
    if current == "Failed":
        return "failed", f"exit code {state.exit_code}: {one_line(last_line(log), 200)}"
    message = unschedulable_message(pod)
    if message is not None:
        return "unschedulable", one_line(message, 400)
    if pod.metadata.deletion_timestamp is not None:
        return "timeout", "the pod was deleted before it finished (the Job's deadline passed)"
    waiting = f" ({state.waiting_reason})" if state.waiting_reason else ""
    return "timeout", f"still {current}{waiting} after {timeout:g}s"


def _events(conn: Connection, namespace: str, label: str) -> dict[str, tuple[str, ...]]:
    """Pod name -> "Reason: message" of its events, from one list call."""
    try:
        items = conn.core.list_namespaced_event(namespace, field_selector="involvedObject.kind=Pod").items
    except ApiException as err:
        note = (evidence_unavailable(f"{label} pod events", err),)
        return defaultdict(lambda: note)
    found: dict[str, list[str]] = defaultdict(list)
    for event in items:
        found[event.involved_object.name].append(f"{event.reason}: {one_line(event.message or '', 300)}")
    return defaultdict(tuple, {name: tuple(lines) for name, lines in found.items()})


def _create_all(
    conn: Connection, settings: Settings, nodes: list[GpuNode], run: RunContext, runtime_classes: RuntimeClasses,
    ask: GpuAsk, kind: JobKind,
) -> dict[str, NodeWorkload]:
    def create(node: GpuNode) -> NodeWorkload | None:
        body = gpu_job(settings, node, run, runtime_classes.get(node.name), ask, kind)
        job = f"Job {settings.namespace}/{body['metadata']['name']}"
        try:
            create_retrying(lambda: conn.batch.create_namespaced_job(settings.namespace, body),
                            f"POST /apis/batch/v1/namespaces/{settings.namespace}/jobs", budget_of(conn.api_client))
        except ApiException as err:
            if denial(err) is not None:  # no node can run it: "could not inspect" for all, not a failure
                raise
            if isinstance(err, ApiUnavailable):  # the API's trouble, not the node's
                return FactsUnavailable(f"creating {job}: {err.message}")
            detail = f"creating {job} failed: {api_message(err)}"
            return WorkloadOutcome(node.name, "failed", detail, kind.image, None, "", ())
        except (HTTPError, OSError) as err:
            return FactsUnavailable(f"creating {job}: {one_line(str(err), 200)}")
        return None

    results = logs.map_bounded(create, nodes)
    return {node.name: result for node, result in zip(nodes, results, strict=True) if result is not None}


def run_gpu_jobs(
    conn: Connection,
    settings: Settings,
    nodes: list[GpuNode],
    run: RunContext,
    runtime_classes: RuntimeClasses | None = None,
    *,
    kind: JobKind | None = None,
    unschedulable_grace: float = UNSCHEDULABLE_GRACE_SECONDS,
    ask: GpuAsk | None = None,
    busy: Mapping[str, WorkloadOutcome] | None = None,
    on_seen: Callable[[str, Any], None] | None = None,
) -> dict[str, NodeWorkload]:
    """Run the Job ``kind`` (default: vectoradd) on every node at once; each node's WorkloadOutcome with the
    evidence, or why there is none.

    ``runtime_classes``: node -> the runtimeClassName its GPU pods need (fixtures/runtime_wiring.py). ``ask``: how
    the pods ask for their GPU (default: extended resources); ``busy``: the nodes not to run on and why (default:
    those where other pods hold the GPUs the Job needs); ``on_seen(node, pod)``: every change of a node's pod.

    API trouble that touches every node (the namespace, the busy-GPU list, the watch) raises ApiUnavailable.
    """
    kind = kind or vectoradd(settings)
    if not nodes:
        return {}
    ask = ask or GpuAsk()
    ensure_namespace(conn, settings.namespace, run)
    outcomes: dict[str, NodeWorkload] = dict(busy_nodes(conn, nodes, kind) if busy is None else busy)
    to_run = [n for n in nodes if n.name not in outcomes]
    deadline = time.monotonic() + kind.timeout(settings) + WATCH_MARGIN_SECONDS
    outcomes.update(_create_all(conn, settings, to_run, run, runtime_classes or {}, ask, kind))
    followed = [n.name for n in to_run if n.name not in outcomes]
    watched, logs_by_node = follow_pods_and_logs(conn.core, settings.namespace, run.selector(ask.component), followed,
                                                 deadline, _finished, CONTAINER, stuck_grace=unschedulable_grace,
                                                 not_ready=not_ready_nodes(conn), on_seen=on_seen)
    # Events explain a pod that did not succeed; one that did is explained by its log: none read when all did.
    succeeded = all(phase(watched.last[n]) == "Succeeded" for n in followed if n in watched.last)
    events = _events(conn, settings.namespace, kind.label) if followed and not succeeded else defaultdict(tuple)
    for name in followed:
        if name in watched.not_ready:
            outcomes[name] = FactsUnavailable(f"{watched.not_ready[name]}: the {kind.label} pod could not run there")
            continue
        pod, read = watched.last.get(name), logs_by_node.get(name, NO_LOG)
        if pod is not None and phase(pod) == "Succeeded" and read.unreadable is not None:
            outcomes[name] = FactsUnavailable(f"pod {full_name(pod)} exited 0, but whether it printed '{kind.passed}' "
                                              f"is unknown: {read.unreadable}")
            continue
        log = read.text
        result, detail = classify(pod, log, settings, kind)
        outcomes[name] = WorkloadOutcome(
            node=name,
            result=result,
            detail=detail,
            image=kind.image,
            pod=full_name(pod) if pod is not None else None,
            log="\n".join(log.splitlines()[-kind.log_lines:]),
            events=events[pod.metadata.name] if pod is not None else (),
        )
    return {node.name: outcomes[node.name] for node in nodes}


run_vectoradd = run_gpu_jobs  # the tutorial's vectoradd: the default kind
