"""The Pod Security Standards checks and how levels combine them, word for word."""

from __future__ import annotations

from typing import Any

from gpusim.podsecurity.admission import LevelVersion, policy_for
from gpusim.podsecurity.checks import evaluate, forbidden_detail

Obj = dict[str, Any]


def detail(level: str, spec: Obj) -> str:
    return forbidden_detail(evaluate(level, {}, spec))


def container(name: str, **security: Any) -> Obj:
    found: Obj = {"name": name, "image": "busybox"}
    if security:
        found["securityContext"] = security
    return found


def test_privileged_allows_anything() -> None:
    assert evaluate("privileged", {}, {"hostPID": True, "containers": [container("c", privileged=True)]}) == []


def test_baseline_lists_reasons_in_check_id_order_with_plural_details() -> None:
    spec = {
        "hostNetwork": True, "hostIPC": True,
        "containers": [
            {**container("a", capabilities={"add": ["SYS_ADMIN", "NET_ADMIN", "CHOWN"]}),
             "ports": [{"containerPort": 9400, "hostPort": 9400}]},
            {**container("b"), "ports": [{"containerPort": 80, "hostPort": 80}]},
        ],
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}, {"name": "dev", "hostPath": {"path": "/dev"}}],
    }
    assert detail("baseline", spec) == (
        'non-default capabilities (container "a" must not include "NET_ADMIN", "SYS_ADMIN" in '
        'securityContext.capabilities.add), host namespaces (hostNetwork=true, hostIPC=true), hostPath volumes '
        '(volumes "root", "dev"), hostPort (containers "a", "b" use hostPorts 80, 9400)')


def test_restricted_replaces_the_baseline_checks_it_overrides() -> None:
    spec = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "Unconfined"}},
        "initContainers": [container("init", allowPrivilegeEscalation=False, capabilities={"drop": ["ALL"]})],
        "containers": [container("main", allowPrivilegeEscalation=False, runAsUser=0,
                                 capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})],
        "volumes": [{"name": "root", "hostPath": {"path": "/"}}, {"name": "cache", "emptyDir": {}}],
    }
    capabilities = 'container "main" must not include "SYS_ADMIN" in securityContext.capabilities.add'
    seccomp = 'pod must not set securityContext.seccompProfile.type to "Unconfined"'
    assert detail("baseline", spec) == (
        f'non-default capabilities ({capabilities}), hostPath volumes (volume "root"), seccompProfile ({seccomp})')
    assert detail("restricted", spec) == (
        f"unrestricted capabilities ({capabilities}), restricted volume types (volume \"root\" uses restricted "
        f'volume type "hostPath"), runAsUser=0 (container "main" must not set runAsUser=0), seccompProfile ({seccomp})')


def test_restricted_explicit_false_run_as_non_root_is_named_before_missing_ones() -> None:
    spec = {"securityContext": {"runAsNonRoot": False},
            "containers": [container("a", runAsNonRoot=False), container("b")]}
    results = dict(evaluate("restricted", {}, spec))
    assert results["runAsNonRoot != true"] == (
        'pod and container "a" must not set securityContext.runAsNonRoot=false')
    assert "runAsUser=0" not in results


def test_a_compliant_pod_passes_restricted() -> None:
    spec = {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [container("c", allowPrivilegeEscalation=False,
                                     capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})],
            "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "x"}}]}
    assert evaluate("restricted", {}, spec) == []


def test_labels_choose_levels_and_bad_ones_fail_closed_for_enforce_and_open_for_warn() -> None:
    policy, problems = policy_for({"pod-security.kubernetes.io/enforce": "baseline",
                                   "pod-security.kubernetes.io/enforce-version": "v1.28"})
    assert (policy.enforce, policy.warn, problems) == (LevelVersion("baseline", "v1.28"), LevelVersion(), [])
    policy, problems = policy_for({"pod-security.kubernetes.io/enforce": "strict",
                                   "pod-security.kubernetes.io/warn": "strict",
                                   "pod-security.kubernetes.io/warn-version": "1.28"})
    assert str(policy.enforce) == "restricted:latest" and str(policy.warn) == "privileged:latest"
    assert [p[0] for p in problems] == ["pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/warn",
                                        "pod-security.kubernetes.io/warn-version"]
