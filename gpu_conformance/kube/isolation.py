"""Secure accelerator access: unprivileged pods on every GPU node at once print what they see (``sees``).

Per node, up to three pods of the project's image, each container running ``gpu-conformance sees --dev /dev``:

- ``sec-nogpu``: no GPU requested; container ``image-env`` has NVIDIA_VISIBLE_DEVICES=all only from the image (as
  every CUDA image), ``pod-env`` sets it in the pod spec. They print and exit.
- ``sec-holder``: container ``holder`` requests 1 GPU, ``bystander`` none, with NVIDIA_VISIBLE_DEVICES="" (as a
  non-CUDA image: container isolation, not the env leak above).
- ``sec-other``: a second holder of 1 GPU, on nodes with 2 or more allocatable GPUs, so that two pods hold one
  each at the same time.

Holders run ``sees --hold``: it writes what it saw to its termination-log file, then keeps its GPU until the
suite, once every holder runs, deletes them (even with --keep-resources: their GPUs are needed next). A deletion
that comes before ``sees`` has written waits for it (commands/sees.py). The kubelet reports their containers
terminated, with that file as their termination message, before it removes the pods (kubernetes
pkg/kubelet/status/status_manager.go, syncPod: the terminal status is written, then the pod is deleted with
grace 0 once canBeDeleted), and the watch that waits for them to go sees it: no log is read. They hold for the
pod timeout plus a margin, so the first still holds when the watch gives up on the second.

Free GPUs: pytest runs one fixture at a time, so these pods never run beside this run's vectoradd Jobs (that
gathering has ended, or not begun); GPUs held by anything else now (other workloads, a vectoradd pod past its
deadline) are counted first, and a holder that cannot have a free GPU is not created: its checks could not
inspect, naming who holds them. A holder left Pending by the scheduler past a grace is the same, in the
scheduler's words. Everything carries the run's labels and goes with the run's cleanup too.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.container_view import ContainerView
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.facts.isolation import Look, NodeIsolation
from gpu_conformance.facts.unavailable import FactsUnavailable

from ..settings import Settings
from . import logs
from .client import Connection
from .errors import api_message, denial, one_line
from .follow_pods import follow_pods
from .gpu_usage import GpuUsage, gpu_usage
from .isolation_pods import (
    ASKED,
    BYSTANDER,
    CONTAINERS,
    HOLDER,
    HOLDING,
    HOLDS,
    IMAGE_ENV,
    IMAGE_OPTION,
    NOGPU,
    OTHER,
    POD_ENV,
    TERMINATION_GRACE_SECONDS,
    isolation_pod,
)
from .namespace import ensure_namespace
from .node_readiness import not_ready_nodes
from .pod_state import container_state, full_name
from .pod_trouble import stopped, trouble
from .retry import budget_of, create_retrying
from .run import COMPONENT, RunContext
from .watch import follow_while_changing
from .workload import UNSCHEDULABLE_GRACE_SECONDS, RuntimeClasses

NodeLooks = NodeIsolation | FactsUnavailable
WATCH_MARGIN_SECONDS = 10.0
RELEASE_MARGIN_SECONDS = 10.0
LOG_LINES = 20


@dataclass(frozen=True)
class Planned:
    """One pod to make on one node, or why it is not made (then its containers' looks carry that reason); its
    holder claims the GPU through ``claim_template`` where one is named (DRA)."""

    component: str
    node: GpuNode
    skipped: str | None = None
    claim_template: str | None = None


def _plan(nodes: list[GpuNode], usage: Mapping[str, GpuUsage]) -> list[Planned]:
    planned = []
    for node in nodes:
        use = usage[node.name]
        planned.append(Planned(NOGPU, node))
        held = f"held by other pods: {use.held_by()}" if use.holders else "none is free"
        planned.append(Planned(HOLDER, node, None if use.free >= 1 else
                                f"no free {use.resource} on node {node.name} ({use.allocatable} allocatable, {held})"))
        if use.allocatable >= 2:
            planned.append(Planned(OTHER, node, None if use.free >= 2 else
                                    f"only {use.free} of {use.allocatable} {use.resource} of node {node.name} free "
                                    f"({held}): two pods cannot hold one each now"))
    return planned


def create_planned(conn: Connection, settings: Settings, run: RunContext, runtime_classes: RuntimeClasses,
                   planned: Planned) -> str | None:
    """Create the pod; None, or why it could not be created (a permission denial raises: no node could have it)."""
    body = isolation_pod(settings, planned.node, run, planned.component,
                         runtime_classes.get(planned.node.name), planned.claim_template)
    pod = f"pod {settings.namespace}/{body['metadata']['name']}"
    try:
        create_retrying(lambda: conn.core.create_namespaced_pod(settings.namespace, body),
                        f"POST /api/v1/namespaces/{settings.namespace}/pods", budget_of(conn.api_client))
    except ApiException as err:
        if denial(err) is not None:
            raise
        why = "forbidden (admission or PodSecurity)" if err.status == 403 else "refused"
        return f"creating {pod} was {why}: {api_message(err)}"
    except (HTTPError, OSError) as err:
        return f"creating {pod} failed: {one_line(str(err), 200)}"
    return None


def _ran(pod: Any, container: str) -> bool:
    state = container_state(pod, container)
    return state.ready or state.exit_code is not None


def parse_view(log: str) -> ContainerView:
    """``sees`` prints one JSON line; anything else in the log before it is skipped (ValueError if none)."""
    line = next((line for line in log.splitlines() if line.startswith("{")), None)
    if line is None:
        raise ValueError("it printed no JSON object" if log.strip() else "it printed nothing")
    return ContainerView.from_json(line)


def _from_message(pod: Any, container: str) -> Seen | None:
    """What an ended container left as its termination message (the JSON it printed); None where it left none."""
    message = container_state(pod, container).termination_message
    try:
        return (parse_view(message), None, message) if message else None
    except ValueError:
        return None


def _read(conn: Connection, settings: Settings, pod: Any, container: str) -> Seen:
    """(view, None, log) or (None, why not, log). An ended container's view is its termination message where it
    left one, else its log (one request)."""
    if not _ran(pod, container):
        return None, trouble(pod, container, "", IMAGE_OPTION, settings.timeout), ""
    if (seen := _from_message(pod, container)) is not None:
        return seen
    read = logs.read_container_log(conn.core, settings.namespace, pod.metadata.name, container)
    tail = "\n".join(read.text.splitlines()[-LOG_LINES:])
    if read.unreadable is not None:
        problem = f"pod {full_name(pod)} container {container} ran, but its output could not be read: " \
                  f"{read.unreadable}"
    else:
        try:
            return parse_view(read.text), None, tail
        except ValueError as exc:
            problem = f"the output of pod {full_name(pod)} container {container} is unreadable: " \
                      f"{one_line(str(exc), 200)}"
    if container_state(pod, container).exit_code not in (None, 0):
        return None, trouble(pod, container, read.text, IMAGE_OPTION, settings.timeout), tail
    return None, problem, tail


def _done(component: str) -> Callable[[Any], bool]:
    """When a pod has given what it will: every container ended or cannot start; a holder's once running."""
    def done(pod: Any) -> bool:
        return all(stopped(pod, c) or container_state(pod, c).exit_code is not None
                   or (component in HOLDING and _ran(pod, c)) for c in CONTAINERS[component])
    return done


Key = tuple[str, str, str]  # (node, component, container)
Seen = tuple[ContainerView | None, str | None, str]  # (view, or why there is none; the log)
Holding = tuple[Key, Any]  # a holding container that runs, and its pod as last seen: read once it is released


def follow_component(conn: Connection, settings: Settings, run: RunContext, component: str, nodes: list[str],
                     deadline: float, grace: float) -> tuple[dict[Key, Seen], list[Holding]]:
    """Follow one kind of pod on ``nodes`` with one watch, then read every ended container's output concurrently;
    a holder's running containers are returned apart, to read once released."""
    watched = follow_pods(conn.core, settings.namespace, run.selector(component), nodes, deadline, _done(component),
                          lambda node, pod: None, stuck_grace=grace, not_ready=not_ready_nodes(conn))
    found: dict[Key, Seen] = {}
    reads: list[Holding] = []
    holding: list[Holding] = []
    for node in nodes:
        pod = watched.last.get(node)
        for container in CONTAINERS[component]:
            key = (node, component, container)
            if node in watched.not_ready:
                found[key] = None, f"{watched.not_ready[node]}: the pod could not run there", ""
            elif pod is None:
                found[key] = None, trouble(None, container, "", IMAGE_OPTION, settings.timeout), ""
            elif component in HOLDING and _ran(pod, container) and container_state(pod, container).exit_code is None:
                holding.append((key, pod))
            else:
                reads.append((key, pod))
    found.update(_read_all(conn, settings, reads))
    return found, holding


def _read_all(conn: Connection, settings: Settings, containers: list[Holding]) -> dict[Key, Seen]:
    results = logs.map_bounded(lambda c: _read(conn, settings, c[1], c[0][2]), containers)
    return {key: seen for (key, _), seen in zip(containers, results, strict=True)}


def release_holders(conn: Connection, settings: Settings, run: RunContext) -> dict[str, Any]:
    """Delete the holders (one call; SIGTERM ends ``sees --hold`` once it has written what it saw), and wait until
    they are gone: a terminating pod still holds its GPU, and the vectoradd Jobs after us count it as busy.

    Each holder pod's last object seen, by name: its containers terminated, with their termination messages. They
    are listed before the deletion and watched from that list's resourceVersion on, so each one's final state
    (terminated, then DELETED) reaches the watch however late a retried call lands. The watch goes on while they
    keep changing, up to the pod timeout: a thousand holders take longer than one to go, and a wait cut short would
    leave their views to logs that are gone. It ends RELEASE_MARGIN_SECONDS after the grace period once none
    changes (a node whose kubelet no longer answers), and never sooner, however short the pod timeout. A failure
    here is left to the run's cleanup, which deletes everything of the run."""
    holders = f"{run.selector()},{COMPONENT} in ({','.join(HOLDING)})"
    last: dict[str, Any] = {}
    with contextlib.suppress(ApiException, HTTPError, OSError):
        listed = conn.core.list_namespaced_pod(settings.namespace, label_selector=holders)
        last = {pod.metadata.name: pod for pod in listed.items}
        if not last:
            return last
        conn.core.delete_collection_namespaced_pod(settings.namespace, label_selector=holders)
        waiting = set(last)
        quiet = TERMINATION_GRACE_SECONDS + RELEASE_MARGIN_SECONDS
        for kind, pod in follow_while_changing(conn.core.list_namespaced_pod, quiet,
                                               time.monotonic() + max(settings.timeout, quiet),
                                               since=listed.metadata.resource_version,
                                               namespace=settings.namespace, label_selector=holders):
            last[pod.metadata.name] = pod
            if kind == "DELETED":
                waiting.discard(pod.metadata.name)
            if not waiting:
                break
    return last


def look_all(conn: Connection, settings: Settings, run: RunContext, runtime_classes: RuntimeClasses,
             planned: list[Planned], unschedulable_grace: float,
             while_holding: Callable[[], None] = lambda: None) -> dict[Key, Seen]:
    """Make the planned pods, follow each kind with one watch, side by side, and read every container but the
    holders'; then ``while_holding()`` (the holders still hold their GPUs), then release the holders and read theirs
    from their last state (termination messages). Every planned container's view, or why there is none."""
    deadline = time.monotonic() + settings.timeout + WATCH_MARGIN_SECONDS
    to_make = [p for p in planned if p.skipped is None]
    created = logs.map_bounded(lambda p: create_planned(conn, settings, run, runtime_classes, p), to_make)
    failed = {(p.node.name, p.component): why for p, why in zip(to_make, created, strict=True) if why is not None}
    found: dict[Key, Seen] = {}

    def follow_kind(component: str) -> tuple[dict[Key, Seen], list[Holding]]:
        followed = [p.node.name for p in to_make if p.component == component and (p.node.name, component) not in failed]
        if not followed:
            return {}, []
        return follow_component(conn, settings, run, component, followed, deadline, unschedulable_grace)

    holding: list[Holding] = []
    released: dict[str, Any] = {}
    try:  # one watch per kind of pod, side by side: a slow kind never eats another's time
        for followed, holds in logs.map_bounded(follow_kind, list(dict.fromkeys(p.component for p in planned))):
            found.update(followed)
            holding += holds
        while_holding()
    finally:
        released = release_holders(conn, settings, run)  # even with --keep-resources: vectoradd needs their GPUs
    found.update(_read_all(conn, settings, [(key, released.get(pod.metadata.name, pod)) for key, pod in holding]))
    for p in planned:
        why = p.skipped or failed.get((p.node.name, p.component))
        if why is not None:
            found.update({(p.node.name, p.component, c): (None, why, "") for c in CONTAINERS[p.component]})
    return found


def gather_isolation(
    conn: Connection,
    settings: Settings,
    nodes: list[GpuNode],
    run: RunContext,
    runtime_classes: RuntimeClasses | None = None,
    *,
    unschedulable_grace: float = UNSCHEDULABLE_GRACE_SECONDS,
) -> dict[str, NodeLooks]:
    """Every node's isolation pods at once; each node's looks, each with its view or why there is none.

    ``runtime_classes``: node -> the runtimeClassName its GPU pods need (fixtures/runtime_wiring.py); every
    isolation pod gets it, GPU or not, as a workload pod on that node would.
    """
    if not nodes:
        return {}
    ensure_namespace(conn, settings.namespace, run)
    planned = _plan(nodes, gpu_usage(conn, nodes))
    found = look_all(conn, settings, run, runtime_classes or {}, planned, unschedulable_grace)
    return {node.name: _node_isolation(settings, run, node, found) for node in nodes}


def _node_isolation(settings: Settings, run: RunContext, node: GpuNode,
                    found: Mapping[Key, Seen]) -> NodeIsolation:
    def look(component: str, container: str) -> Look:
        view, problem, log = found[node.name, component, container]
        pod = f"{settings.namespace}/{run.object_name(component, node.name)}"
        return Look(f"pod {pod} container {container} on node {node.name}", ASKED[container], view, problem, log)

    other = look(OTHER, HOLDS) if (node.name, OTHER, HOLDS) in found else None
    return NodeIsolation(node.name, look(NOGPU, IMAGE_ENV), look(NOGPU, POD_ENV), look(HOLDER, HOLDS),
                         look(HOLDER, BYSTANDER), other)
