"""The Pod Security Standards checks (k8s.io/pod-security-admission/policy), wording for wording.

Covered: the baseline checks a GPU probe can trip (host namespaces, privileged, non-default
capabilities, hostPath volumes, hostPorts, seccomp Unconfined) and every restricted check
(allowPrivilegeEscalation, capabilities drop ALL, volume types, runAsNonRoot, runAsUser, seccomp).
Not covered (they never pass or fail differently for this project's pods): AppArmor, SELinux,
procMount, sysctls, Windows hostProcess, host probes.

Evaluation order is the registry's: baseline check IDs sorted, then restricted ones sorted; a
restricted level drops the baseline checks its own checks override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Obj = dict[str, Any]
Result = tuple[str, str] | None  # (forbidden reason, detail) when the pod fails the check
Check = Callable[[Obj, Obj], Result]  # (pod metadata, pod spec) -> result

_DEFAULT_CAPABILITIES = frozenset({
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP",
    "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
})
_ALLOWED_VOLUMES = frozenset({
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
})
_SECCOMP_OK = ("RuntimeDefault", "Localhost")


def _quote(items: list[str]) -> str:
    return ", ".join(f'"{i}"' for i in items)


def _plural(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _containers(spec: Obj) -> Iterator[Obj]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(key) or []


def _context(container: Obj) -> Obj:
    found: Obj = container.get("securityContext") or {}
    return found


def _named(names: list[str]) -> str:
    return f"{_plural('container', 'containers', len(names))} {_quote(names)}"


def host_namespaces(meta: Obj, spec: Obj) -> Result:
    used = [f"{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC") if spec.get(field)]
    return ("host namespaces", ", ".join(used)) if used else None


def privileged(meta: Obj, spec: Obj) -> Result:
    bad = [c.get("name", "") for c in _containers(spec) if _context(c).get("privileged")]
    return ("privileged", f"{_named(bad)} must not set securityContext.privileged=true") if bad else None


def _added(container: Obj) -> list[str]:
    return list((_context(container).get("capabilities") or {}).get("add") or [])


def capabilities_baseline(meta: Obj, spec: Obj) -> Result:
    bad, caps = [], set()
    for container in _containers(spec):
        extra = [c for c in _added(container) if c not in _DEFAULT_CAPABILITIES]
        if extra:
            bad.append(container.get("name", ""))
            caps.update(extra)
    if not bad:
        return None
    return ("non-default capabilities",
            f"{_named(bad)} must not include {_quote(sorted(caps))} in securityContext.capabilities.add")


def host_path_volumes(meta: Obj, spec: Obj) -> Result:
    bad = [v.get("name", "") for v in spec.get("volumes") or [] if "hostPath" in v]
    return ("hostPath volumes", f"{_plural('volume', 'volumes', len(bad))} {_quote(bad)}") if bad else None


def host_ports(meta: Obj, spec: Obj) -> Result:
    bad, ports = [], set()
    for container in _containers(spec):
        used = [str(p["hostPort"]) for p in container.get("ports") or [] if p.get("hostPort")]
        if used:
            bad.append(container.get("name", ""))
            ports.update(used)
    if not bad:
        return None
    return ("hostPort", f"{_named(bad)} {_plural('uses', 'use', len(bad))} "
                        f"{_plural('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}")


def _seccomp_type(context: Obj) -> str | None:
    profile = context.get("seccompProfile")
    return None if profile is None else str(profile.get("type", ""))


def _seccomp(spec: Obj, required: bool) -> Result:
    setters, values, implicit = [], set(), []
    pod_type = _seccomp_type(spec.get("securityContext") or {})
    if pod_type is not None and pod_type not in _SECCOMP_OK:
        setters.append("pod")
        values.add(pod_type)
    explicit = []
    for container in _containers(spec):
        kind = _seccomp_type(_context(container))
        if kind is not None and kind not in _SECCOMP_OK:
            explicit.append(container.get("name", ""))
            values.add(kind)
        elif kind is None and pod_type not in _SECCOMP_OK:
            implicit.append(container.get("name", ""))
    if explicit:
        setters.append(_named(explicit))
    if setters:
        return ("seccompProfile", f"{' and '.join(setters)} must not set securityContext.seccompProfile.type to "
                                  f"{_quote(sorted(values))}")
    if required and implicit:
        return ("seccompProfile",
                f'pod or {_named(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" '
                'or "Localhost"')
    return None


def seccomp_baseline(meta: Obj, spec: Obj) -> Result:
    return _seccomp(spec, required=False)


def seccomp_restricted(meta: Obj, spec: Obj) -> Result:
    return _seccomp(spec, required=True)


def allow_privilege_escalation(meta: Obj, spec: Obj) -> Result:
    bad = [c.get("name", "") for c in _containers(spec) if _context(c).get("allowPrivilegeEscalation") is not False]
    if not bad:
        return None
    return ("allowPrivilegeEscalation != false",
            f"{_named(bad)} must set securityContext.allowPrivilegeEscalation=false")


def capabilities_restricted(meta: Obj, spec: Obj) -> Result:
    missing_drop, adding, caps = [], [], set()
    for container in _containers(spec):
        capabilities = _context(container).get("capabilities")
        if capabilities is None:
            missing_drop.append(container.get("name", ""))
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop.append(container.get("name", ""))
        extra = [c for c in capabilities.get("add") or [] if c != "NET_BIND_SERVICE"]
        if extra:
            adding.append(container.get("name", ""))
            caps.update(extra)
    details = []
    if missing_drop:
        details.append(f'{_named(missing_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{_named(adding)} must not include {_quote(sorted(caps))} in securityContext.capabilities.add")
    return ("unrestricted capabilities", "; ".join(details)) if details else None


def _volume_type(volume: Obj) -> str | None:
    """The restricted type of a volume, or None for an allowed one (a bare volume is an emptyDir)."""
    kinds = [k for k in volume if k != "name"]
    return next((k for k in kinds if k not in _ALLOWED_VOLUMES), None)


def restricted_volumes(meta: Obj, spec: Obj) -> Result:
    bad, kinds = [], set()
    for volume in spec.get("volumes") or []:
        kind = _volume_type(volume)
        if kind is not None:
            bad.append(volume.get("name", ""))
            kinds.add(kind)
    if not bad:
        return None
    return ("restricted volume types",
            f"{_plural('volume', 'volumes', len(bad))} {_quote(bad)} {_plural('uses', 'use', len(bad))} "
            f"{_plural('restricted volume type', 'restricted volume types', len(kinds))} {_quote(sorted(kinds))}")


def _is(value: object, bad_value: object) -> bool:
    return type(value) is type(bad_value) and value == bad_value  # runAsUser 0 is not runAsNonRoot false


def _explicit_setters(spec: Obj, field: str, bad_value: object) -> list[str]:
    setters = ["pod"] if _is((spec.get("securityContext") or {}).get(field), bad_value) else []
    containers = [c.get("name", "") for c in _containers(spec) if _is(_context(c).get(field), bad_value)]
    if containers:
        setters.append(_named(containers))
    return setters


def run_as_non_root(meta: Obj, spec: Obj) -> Result:
    setters = _explicit_setters(spec, "runAsNonRoot", False)
    if setters:
        return ("runAsNonRoot != true", f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false")
    pod_level = (spec.get("securityContext") or {}).get("runAsNonRoot") is True
    implicit = [c.get("name", "") for c in _containers(spec)
                if _context(c).get("runAsNonRoot") is None and not pod_level]
    if implicit:
        return ("runAsNonRoot != true", f"pod or {_named(implicit)} must set securityContext.runAsNonRoot=true")
    return None


def run_as_user(meta: Obj, spec: Obj) -> Result:
    setters = _explicit_setters(spec, "runAsUser", 0)
    return ("runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0") if setters else None


BASELINE: tuple[tuple[str, Check], ...] = (  # by check ID, sorted as the registry sorts them
    ("capabilities_baseline", capabilities_baseline),
    ("hostNamespaces", host_namespaces),
    ("hostPathVolumes", host_path_volumes),
    ("hostPorts", host_ports),
    ("privileged", privileged),
    ("seccompProfile_baseline", seccomp_baseline),
)
RESTRICTED: tuple[tuple[str, Check], ...] = (
    ("allowPrivilegeEscalation", allow_privilege_escalation),
    ("capabilities_restricted", capabilities_restricted),
    ("restrictedVolumes", restricted_volumes),
    ("runAsNonRoot", run_as_non_root),
    ("runAsUser", run_as_user),
    ("seccompProfile_restricted", seccomp_restricted),
)
OVERRIDDEN_BY_RESTRICTED = frozenset({"capabilities_baseline", "hostPathVolumes", "seccompProfile_baseline"})


def evaluate(level: str, meta: Obj, spec: Obj) -> list[tuple[str, str]]:
    """The failed checks of ``level`` (privileged, baseline or restricted), as (reason, detail)."""
    if level == "privileged":
        return []
    checks = list(BASELINE)
    if level == "restricted":
        checks = [c for c in checks if c[0] not in OVERRIDDEN_BY_RESTRICTED] + list(RESTRICTED)
    return [r for _, check in checks if (r := check(meta, spec)) is not None]


def forbidden_detail(results: list[tuple[str, str]]) -> str:
    """AggregateCheckResult.ForbiddenDetail: ``reason (detail), reason (detail)``."""
    return ", ".join(f"{reason} ({detail})" if detail else reason for reason, detail in results)
