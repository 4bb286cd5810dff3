"""What the suite gathered from the cluster, per kind of fact; verdicts live in gpu_conformance.requirements.

Collectors (gpu_conformance.kube) fill these; each value says where it was seen. None of them judges.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from .node import NodeProbe


@dataclass(frozen=True)
class ApiVersion:
    """The API server's ``/version``, verbatim (vendor forms such as minor "28+" kept)."""

    major: str
    minor: str
    git_version: str
    source: str  # e.g. "GET https://10.0.0.1:6443/version"


@dataclass(frozen=True)
class PluginPod:
    namespace: str
    name: str
    node: str
    phase: str
    ready: bool
    restarts: int
    waiting_reason: str | None  # e.g. CrashLoopBackOff, ImagePullBackOff
    last_exit: str | None  # e.g. "Error (exit code 1)"
    log_tail: str  # last lines of the plugin container's log (previous run's when crash-looping)
    last_error_exit_age: float | None = None  # seconds since the container last exited with an error


@dataclass(frozen=True)
class NodeRequirement:
    """One matchExpression of a required node affinity term: ``key In (a, b)``, ``key Exists``, ..."""

    key: str
    operator: str  # In, NotIn, Exists, DoesNotExist, Gt, Lt
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class PluginDaemonSet:
    namespace: str
    name: str
    desired: int
    ready: int
    image: str
    node_selector: tuple[tuple[str, str], ...] = ()  # the pod template's nodeSelector, key=value pairs
    # requiredDuringSchedulingIgnoredDuringExecution: a node must satisfy every requirement of at least one term
    affinity_terms: tuple[tuple[NodeRequirement, ...], ...] = ()
    # how the plugin hands GPUs to containers: DEVICE_LIST_STRATEGY (env) or --device-list-strategy, split at
    # commas; empty when unset (the plugin's default, envvar) or not a literal (a ConfigMap reference)
    device_list_strategy: tuple[str, ...] = ()
    device_id_strategy: str | None = None  # DEVICE_ID_STRATEGY: uuid (the plugin's default) or index
    runtime_class: str | None = None  # the pod template's runtimeClassName (the GPU Operator sets nvidia)


@dataclass(frozen=True)
class PluginFacts:
    """The device plugin as found, whatever installed it."""

    install: str  # static manifest | Helm | GPU Operator | GKE | --device-plugin-selector
    selector: str  # the pod label selector that found it
    daemonsets: tuple[PluginDaemonSet, ...]
    pods: tuple[PluginPod, ...]
    source: str  # where it was looked for, e.g. "DaemonSets and pods in all namespaces"

    @property
    def device_list_strategy(self) -> tuple[str, ...]:
        """Every strategy a plugin DaemonSet sets; ("envvar",), the plugin's default, when none sets one."""
        found = tuple(dict.fromkeys(s for d in self.daemonsets for s in d.device_list_strategy))
        return found or ("envvar",)

    @property
    def runtime_class(self) -> str | None:
        """The RuntimeClass the plugin's pods run with, when a plugin DaemonSet names one."""
        return next((d.runtime_class for d in self.daemonsets if d.runtime_class), None)

    def pods_on(self, node: str) -> tuple[PluginPod, ...]:
        return self._pods_by_node.get(node, ())

    @cached_property
    def _pods_by_node(self) -> dict[str, tuple[PluginPod, ...]]:
        """Indexed once: every GPU node's checks ask for their node's pods (a scan each would cost nodes x pods)."""
        found: dict[str, list[PluginPod]] = {}
        for pod in self.pods:
            found.setdefault(pod.node, []).append(pod)
        return {node: tuple(pods) for node, pods in found.items()}


@dataclass(frozen=True)
class ProbeOutcome:
    """A node's probe: the facts, or why there are none (probe pod could not run)."""

    node: str
    probe: NodeProbe | None
    error: str | None  # one line, e.g. 'probe image "X" could not be pulled: ErrImagePull'
    source: str  # "probe pod gpu-conformance/probe-k8s-node05-x7k2p" or "local probe of /"
    log_tail: str = ""
    node_not_ready: bool = False  # no probe ran because the node is (or went) NotReady: error says since when


WorkloadResult = Literal["passed", "unschedulable", "image_pull", "cuda_error", "failed", "timeout", "gpus_busy"]


@dataclass(frozen=True)
class WorkloadOutcome:
    """What became of the vectoradd Job on one node, with the evidence."""

    node: str
    result: WorkloadResult
    detail: str  # one line: the scheduler's message, the pull error, the CUDA error line, ...
    image: str
    pod: str | None  # namespace/name of the Job's pod
    log: str  # the container's log (trimmed)
    events: tuple[str, ...]  # "Reason: message" of the pod's events
