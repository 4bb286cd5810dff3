"""deploy/'s RBAC is exactly enough: the suite passes as its ServiceAccount, and it needs every rule.

`kubectl apply -k deploy/` on a simulated cluster that enforces RBAC for ServiceAccount tokens, then
the real suite with a token from `kubectl create token`. Removing any one rule must make the suite say
which permission is missing, in one line, not fail with a traceback or pass by luck.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, kubectl

from tests.kind.support import service_account_kubeconfig
from tests.suite.suite_runner import ROOT, SuiteRun, run_suite

pytestmark = pytest.mark.e2e

DEPLOY = ROOT / "deploy"
NAMESPACE = ACCOUNT = "gpu-conformance"
SUITE_OPTIONS = ("--gpu-node-selector", "gpu-node=true", "-m", "not monitoring")
# Read only to explain a failure: a crash-looping plugin's log, a failed vectoradd pod's events; resource.k8s.io only
# where the cluster serves it and NVIDIA's DRA driver publishes the GPUs.
NEEDED_WHEN = {"pods/log": "plugin-crashloop", "events": "image-unreachable", "deviceclasses": "dra",
               "resourceclaimtemplates": "dra", "resourceclaims": "dra"}
# The seed cluster leaks GPUs to pods without a request, as the tutorial's setup does (the SEC checks fail there);
# its hardened twin passes every check, so a failure here is a missing permission and nothing else.
PASSING = "hardened"


def _rules(kind: str) -> list[dict[str, Any]]:
    manifest = yaml.safe_load((DEPLOY / f"{kind.lower()}.yaml").read_text())
    rules: list[dict[str, Any]] = manifest["rules"]
    return rules


def _deployed(start_cluster: StartCluster, tmp_path: Path, scenario: str) -> tuple[SimCluster, Path]:
    cluster = start_cluster(scenario)
    kubectl(cluster, "apply", "-k", str(DEPLOY))
    return cluster, service_account_kubeconfig(cluster.kubeconfig, tmp_path, NAMESPACE, ACCOUNT)


def _as_account(cluster: SimCluster, tmp_path: Path, kubeconfig: Path) -> SuiteRun:
    return run_suite(cluster, tmp_path, "--kubeconfig", str(kubeconfig), *SUITE_OPTIONS)


def test_the_service_account_passes_the_whole_suite(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster, kubeconfig = _deployed(start_cluster, tmp_path, PASSING)
    run = _as_account(cluster, tmp_path, kubeconfig)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr
    assert "missing permission" not in run.stdout
    assert json.loads((tmp_path / "summary.json").read_text())["totals"]["passed"] >= 20
    denied = kubectl(cluster, "--kubeconfig", str(kubeconfig), "get", "configmaps", "-A", check=False)
    assert denied.returncode == 1 and (
        'User "system:serviceaccount:gpu-conformance:gpu-conformance" cannot list resource "configmaps"'
        in denied.stderr)


def _rule_cases() -> list[Any]:
    cases = []
    for kind in ("ClusterRole", "Role"):
        for index, rule in enumerate(_rules(kind)):
            resources = ",".join(rule["resources"])
            scenario = next((s for r, s in NEEDED_WHEN.items() if r in rule["resources"]), PASSING)
            cases.append(pytest.param(kind, index, scenario, id=f"{kind}-{'+'.join(rule['verbs'])}-{resources}"))
    return cases


@pytest.mark.parametrize("kind, index, scenario", _rule_cases())
def test_every_rule_is_needed_and_its_absence_is_named(start_cluster: StartCluster, tmp_path: Path, kind: str,
                                                       index: int, scenario: str) -> None:
    cluster, kubeconfig = _deployed(start_cluster, tmp_path, scenario)
    manifest = yaml.safe_load((DEPLOY / f"{kind.lower()}.yaml").read_text())
    removed = manifest["rules"].pop(index)
    if kind == "Role":
        manifest["metadata"]["namespace"] = NAMESPACE
    kubectl(cluster, "apply", "-f", "-", stdin=json.dumps(manifest))

    run = _as_account(cluster, tmp_path, kubeconfig)
    summary = tmp_path / "summary.json"
    output = run.stdout + run.stderr + (summary.read_text() if summary.exists() else "")
    assert run.returncode != 0, f"the suite passed without {kind} rule {removed}"
    assert "Traceback" not in output
    group = removed["apiGroups"][0]
    named = [f"missing permission: {verb} {resource}{'.' + group if group else ''}"
             for verb in removed["verbs"] for resource in removed["resources"]]
    assert any(line in output for line in named), f"none of {named} in:\n{output[-4000:]}"
