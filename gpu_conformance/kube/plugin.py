"""Find the NVIDIA device plugin whatever installed it, and say how its pods are doing on each node.

One DaemonSet list (all namespaces) picks the installs present; one pod list per install found.
GPU Feature Discovery and the MPS control daemon share the Helm chart's labels, so pods are kept
only when the DaemonSet that owns them is the plugin's own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from gpu_conformance.facts.cluster import NodeRequirement, PluginDaemonSet, PluginFacts, PluginPod

from ..settings import Settings
from . import logs
from .client import Connection
from .pod_state import container_state, is_ready, phase

LOG_TAIL_LINES = 20
NOT_FOUND = "not found"
SOURCE = "DaemonSets and pods in all namespaces"
_NOT_THE_PLUGIN = ("gpu-feature-discovery", "mps-control-daemon")  # Helm chart siblings with the same labels


@dataclass(frozen=True)
class Install:
    name: str
    selector: str  # equality-based pod label selector


KNOWN_INSTALLS = (
    Install("static manifest", "name=nvidia-device-plugin-ds"),
    Install("Helm", "app.kubernetes.io/name=nvidia-device-plugin"),
    Install("GPU Operator", "app=nvidia-device-plugin-daemonset"),
    Install("GKE", "k8s-app=nvidia-gpu-device-plugin"),
)


def _matches(selector: str, labels: dict[str, str]) -> bool:
    """``a=b,c=d`` against labels; a set-based selector (a --device-plugin-selector) never matches here."""
    terms = [term.split("=", 1) for term in selector.split(",")]
    return all(len(t) == 2 and labels.get(t[0].strip()) == t[1].strip() for t in terms)


def _markers(daemonset: Any) -> list[str]:
    """What may name a DaemonSet's purpose: its name, component label and container names."""
    meta, template = daemonset.metadata, daemonset.spec.template
    component = (meta.labels or {}).get("app.kubernetes.io/component", "")
    return [meta.name, component, *(c.name for c in template.spec.containers)]


def is_plugin_daemonset(daemonset: Any) -> bool:
    return not any(other in marker for marker in _markers(daemonset) for other in _NOT_THE_PLUGIN)


def _template_labels(daemonset: Any) -> dict[str, str]:
    return dict(daemonset.spec.template.metadata.labels or {}) if daemonset.spec.template.metadata else {}


def _setting(container: Any, env_name: str, flag: str) -> str | None:
    """A plugin setting as its container gives it: a literal env value, else ``--flag=value`` / ``--flag value``."""
    for item in container.env or []:
        if item.name == env_name and item.value is not None:
            return str(item.value)
    words = [str(w) for w in [*(container.command or []), *(container.args or [])]]
    for index, word in enumerate(words):
        if word.startswith(flag + "="):
            return word.partition("=")[2]
        if word == flag and index + 1 < len(words):
            return words[index + 1]
    return None


def plugin_daemonset_facts(daemonset: Any) -> PluginDaemonSet:
    status = daemonset.status
    containers = daemonset.spec.template.spec.containers
    plugin = _plugin_container(containers)
    strategy = _setting(plugin, "DEVICE_LIST_STRATEGY", "--device-list-strategy") or ""
    return PluginDaemonSet(
        namespace=daemonset.metadata.namespace,
        name=daemonset.metadata.name,
        desired=int(status.desired_number_scheduled or 0) if status else 0,
        ready=int(status.number_ready or 0) if status else 0,
        image=plugin.image,
        node_selector=tuple(sorted((daemonset.spec.template.spec.node_selector or {}).items())),
        affinity_terms=required_terms(daemonset.spec.template.spec.affinity),
        device_list_strategy=tuple(s.strip() for s in strategy.split(",") if s.strip()),
        device_id_strategy=_setting(plugin, "DEVICE_ID_STRATEGY", "--device-id-strategy"),
        runtime_class=daemonset.spec.template.spec.runtime_class_name,
    )


def required_terms(affinity: Any) -> tuple[tuple[NodeRequirement, ...], ...]:
    """The required node affinity's terms (matchExpressions; matchFields select by name, not labels)."""
    node_affinity = affinity.node_affinity if affinity else None
    required = node_affinity.required_during_scheduling_ignored_during_execution if node_affinity else None
    return tuple(tuple(NodeRequirement(e.key, e.operator, tuple(e.values or ()))
                       for e in term.match_expressions or ())
                 for term in (required.node_selector_terms if required else ()) or ())


def _plugin_container(containers: list[Any]) -> Any:
    return next((c for c in containers if not any(o in c.name for o in _NOT_THE_PLUGIN)), containers[0])


def _owner_uid(pod: Any) -> str | None:
    refs = pod.metadata.owner_references or []
    return next((r.uid for r in refs if r.kind == "DaemonSet" and r.controller), None)


def _needs_log(pod: Any, container: str, checked: set[str], degraded: frozenset[str]) -> bool:
    state = container_state(pod, container)
    return pod.spec.node_name in checked and (not is_ready(pod) or state.restarts > 0 or pod.spec.node_name in degraded)


def _pod_facts(core: Any, pod: Any, checked: set[str], degraded: frozenset[str]) -> PluginPod:
    return pod_facts(core, pod, _plugin_container(pod.spec.containers).name, checked, degraded)


def pod_facts(core: Any, pod: Any, container: str, checked: set[str],
              degraded: frozenset[str] = frozenset()) -> PluginPod:
    """A plugin pod's state as judged through ``container``, with its log tail when it is unhealthy on a checked
    node (the previous run's when crash-looping) or runs on a ``degraded`` one (GPUs it marked unhealthy: its log
    says which, and after which Xid)."""
    state = container_state(pod, container)
    tail = ""
    if _needs_log(pod, container, checked, degraded):
        crash_looping = state.waiting_reason == "CrashLoopBackOff" or (state.restarts > 0 and not state.ready) \
            or state.last_error_exit_age is not None
        tail = logs.read_log(
            core,
            pod.metadata.namespace,
            pod.metadata.name,
            container,
            tail_lines=LOG_TAIL_LINES,
            previous=crash_looping,
        )
    return PluginPod(
        namespace=pod.metadata.namespace,
        name=pod.metadata.name,
        node=pod.spec.node_name or "",
        phase=phase(pod),
        ready=is_ready(pod),
        restarts=state.restarts,
        waiting_reason=state.waiting_reason,
        last_exit=state.last_exit,
        log_tail=tail.rstrip("\n"),
        last_error_exit_age=state.last_error_exit_age,
    )


@dataclass(frozen=True)
class _Found:
    installs: list[Install]
    daemonsets: list[Any]  # every DaemonSet that is not a sibling (GPU Feature Discovery, ...)
    pods: list[Any]  # the plugin's pods, by node then name


def _find(conn: Connection, settings: Settings) -> _Found:
    """The installs whose selectors match, the plugin DaemonSets and their pods (siblings' pods left out).

    Listed once a connection: the GPU nodes' discovery (kube/cluster.py) and the plugin's facts, gathered a few
    seconds later in the same run, read the same two lists."""
    key = ("device plugin", settings.plugin_selector)
    if key not in conn.shared:
        conn.shared[key] = _list_plugin(conn, settings)
    found: _Found = conn.shared[key]
    return found


def _list_plugin(conn: Connection, settings: Settings) -> _Found:
    listed = conn.apps.list_daemon_set_for_all_namespaces().items
    daemonsets = [d for d in listed if is_plugin_daemonset(d)]
    siblings = {d.metadata.uid for d in listed if not is_plugin_daemonset(d)}
    if settings.plugin_selector:
        installs = [Install("--device-plugin-selector", settings.plugin_selector)]
    else:
        installs = [
            i for i in KNOWN_INSTALLS if any(_matches(i.selector, _template_labels(d)) for d in daemonsets)
        ]
    pods: dict[str, Any] = {}
    for install in installs:
        for pod in conn.core.list_pod_for_all_namespaces(label_selector=install.selector).items:
            if _owner_uid(pod) not in siblings:
                pods[pod.metadata.uid] = pod
    ordered = sorted(pods.values(), key=lambda p: (p.spec.node_name or "", p.metadata.name))
    return _Found(installs, daemonsets, ordered)


def plugin_pod_nodes(conn: Connection, settings: Settings) -> dict[str, str]:
    """Node name -> "namespace/name" of a device plugin pod scheduled there: a sign the node has GPUs."""
    return {p.spec.node_name: f"{p.metadata.namespace}/{p.metadata.name}"
            for p in _find(conn, settings).pods if p.spec.node_name}


def discover_plugin(conn: Connection, settings: Settings, checked_nodes: Iterable[str],
                    degraded_nodes: Iterable[str] = ()) -> PluginFacts:
    """The device plugin's DaemonSets and pods; log tails for unhealthy pods on ``checked_nodes`` and for every pod
    on ``degraded_nodes`` (GPU allocatable below capacity), one request each, none for the healthy rest.

    Nothing found gives install "not found", no DaemonSets and no pods, and the selectors tried.
    """
    found = _find(conn, settings)
    if not found.installs:
        tried = " or ".join(i.selector for i in KNOWN_INSTALLS)
        return PluginFacts(NOT_FOUND, tried, (), (), SOURCE)
    owners = {_owner_uid(p) for p in found.pods}
    installs = found.installs
    daemonsets = [
        d
        for d in found.daemonsets
        if d.metadata.uid in owners or any(_matches(i.selector, _template_labels(d)) for i in installs)
    ]
    checked = set(checked_nodes)
    degraded = frozenset(degraded_nodes)
    pod_facts = logs.map_bounded(lambda pod: _pod_facts(conn.core, pod, checked, degraded), found.pods)
    return PluginFacts(
        install=", ".join(i.name for i in installs),
        selector=" or ".join(i.selector for i in installs),
        daemonsets=tuple(plugin_daemonset_facts(d) for d in sorted(daemonsets, key=_key)),
        pods=tuple(pod_facts),
        source=SOURCE,
    )


def _key(daemonset: Any) -> tuple[str, str]:
    return daemonset.metadata.namespace, daemonset.metadata.name
