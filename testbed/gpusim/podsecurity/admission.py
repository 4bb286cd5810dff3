"""The PodSecurity admission plugin with the default configuration (everything privileged:latest, no
exemptions, so kube-system is judged like any namespace): namespace labels choose the levels.

- a pod breaking the ``enforce`` level is refused, 403, ``pods "x" is forbidden: violates PodSecurity ...``;
  pods that controllers create are refused the same way (their controller records FailedCreate);
- a pod or a workload (Job, DaemonSet, CronJob) whose pod template breaks the ``warn`` level gets
  the ``would violate PodSecurity ...`` warning that kubectl prints; workloads are never refused;
- ``audit`` only annotates audit events, which this cluster does not keep;
- namespace labels with unknown levels or versions are refused (422), as the plugin refuses them.

Policy versions are shown as labelled but every version is checked as ``latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import ApiError, invalid
from ..resources import CRONJOB, DAEMONSET, JOB, NAMESPACE, ResourceType
from ..store import Store
from .checks import evaluate, forbidden_detail

Obj = dict[str, Any]
PREFIX = "pod-security.kubernetes.io/"
LEVELS = ("privileged", "baseline", "restricted")
_VERSION = re.compile(r"^v1\.(0|[1-9][0-9]*)$")


@dataclass(frozen=True)
class LevelVersion:
    level: str = "privileged"
    version: str = "latest"

    def __str__(self) -> str:
        return f"{self.level}:{self.version}"


@dataclass(frozen=True)
class Policy:
    enforce: LevelVersion = LevelVersion()
    audit: LevelVersion = LevelVersion()
    warn: LevelVersion = LevelVersion()


Problem = tuple[str, str, str]  # (label, value, what is wrong with it)


def policy_for(labels: dict[str, str]) -> tuple[Policy, list[Problem]]:
    """api.PolicyToEvaluate: a bad enforce level fails closed (restricted), bad audit/warn levels open."""
    problems: list[Problem] = []
    modes: dict[str, LevelVersion] = {}
    for mode in ("enforce", "audit", "warn"):
        level, version = "privileged", "latest"
        if (raw := labels.get(PREFIX + mode)) is not None:
            level = raw if raw in LEVELS else ("restricted" if mode == "enforce" else "privileged")
            if raw not in LEVELS:
                problems.append((PREFIX + mode, raw, f"must be one of {', '.join(LEVELS)}"))
        if (raw := labels.get(f"{PREFIX}{mode}-version")) is not None:
            if raw == "latest" or _VERSION.match(raw):
                version = raw
            else:
                problems.append((f"{PREFIX}{mode}-version", raw, 'must be "latest" or "v1.x"'))
        modes[mode] = LevelVersion(level, version)
    return Policy(**modes), problems


def _namespace_policy(store: Store, namespace: str) -> Policy:
    ns = store.find(NAMESPACE, "", namespace)
    return policy_for((ns or {}).get("metadata", {}).get("labels") or {})[0]


def _warning(level: LevelVersion, meta: Obj, spec: Obj) -> list[str]:
    failed = evaluate(level.level, meta, spec)
    return [f'would violate PodSecurity "{level}": {forbidden_detail(failed)}'] if failed else []


def admit_pod(store: Store, pod: Obj) -> list[str]:
    """Enforce the namespace's level on a new pod (403 Forbidden); the warnings to send when admitted."""
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    policy = _namespace_policy(store, meta.get("namespace", ""))
    failed = evaluate(policy.enforce.level, meta, spec)
    if failed:
        name = meta.get("name", "")
        message = f'violates PodSecurity "{policy.enforce}": {forbidden_detail(failed)}'
        raise ApiError(403, "Forbidden", f'pods "{name}" is forbidden: {message}', {"name": name, "kind": "pods"})
    return _warning(policy.warn, meta, spec)


def _template(rt: ResourceType, obj: Obj) -> Obj | None:
    spec = obj.get("spec") or {}
    if rt == CRONJOB:
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template: Obj | None = spec.get("template")
    return template


def workload_warnings(store: Store, rt: ResourceType, obj: Obj) -> list[str]:
    """ValidatePodController: a workload's pod template is only warned about, never refused."""
    if rt not in (JOB, DAEMONSET, CRONJOB):
        return []
    template = _template(rt, obj)
    if template is None:
        return []
    policy = _namespace_policy(store, (obj.get("metadata") or {}).get("namespace", ""))
    return _warning(policy.warn, template.get("metadata") or {}, template.get("spec") or {})


def validate_namespace_labels(namespace: Obj, old: Obj | None) -> None:
    """422 for invalid PodSecurity labels on a new namespace, or newly invalid ones on an update."""
    meta = namespace.get("metadata") or {}
    problems = policy_for(meta.get("labels") or {})[1]
    if not problems:
        return
    if old is not None and problems == policy_for((old.get("metadata") or {}).get("labels") or {})[1]:
        return
    causes = [("FieldValueInvalid", f"metadata.labels[{label}]", f'Invalid value: "{value}": {why}')
              for label, value, why in problems]
    raise invalid("Namespace", "", meta.get("name", ""), causes)
