"""deploy/ on an API server the suite did not make: applied as is, the suite run with its service account's
token passes the cluster-level checks and says "no GPU node" for the GPU checks; a rule taken from the
ClusterRole is named in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gpusim.testing import eventually

from gpu_conformance.kube.errors import ROLE_NAME
from tests.deploy.run_support import output_lines, run
from tests.kind.support import assert_no_gpu_node_run, kubectl, service_account_kubeconfig

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = ACCOUNT = "gpu-conformance"
USER = f"system:serviceaccount:{NAMESPACE}:{ACCOUNT}"


@pytest.fixture
def deployed(api_server: Path, tmp_path: Path) -> Path:
    """deploy/ applied, its CronJob suspended so no scheduled run starts meanwhile; the service account's kubeconfig."""
    kubectl(api_server, "apply", "-k", str(ROOT / "deploy"))
    kubectl(api_server, "-n", NAMESPACE, "patch", "cronjob", "gpu-conformance", "--type=merge",
            "-p", '{"spec": {"suspend": true}}')
    kubectl(api_server, "-n", NAMESPACE, "create", "job", "--from=cronjob/gpu-conformance", "manual-run",
            "--dry-run=server")
    return service_account_kubeconfig(api_server, tmp_path, NAMESPACE, ACCOUNT)


def test_the_suite_runs_with_the_service_accounts_permissions(deployed: Path, tmp_path: Path) -> None:
    done = run(tmp_path / "reports", "--kubeconfig", str(deployed))
    assert_no_gpu_node_run(done, tmp_path / "reports")


def test_a_rule_taken_from_the_clusterrole_is_named(api_server: Path, deployed: Path, tmp_path: Path) -> None:
    rules = json.loads(kubectl(api_server, "get", "clusterrole", ROLE_NAME, "-o", "json").stdout)["rules"]
    index = next(i for i, rule in enumerate(rules) if rule["resources"] == ["nodes"])
    kubectl(api_server, "patch", "clusterrole", ROLE_NAME, "--type=json",
            "-p", json.dumps([{"op": "remove", "path": f"/rules/{index}"}]))
    eventually(lambda: kubectl(deployed, "auth", "can-i", "list", "nodes", check=False).returncode == 1,
               timeout=30, what="the ClusterRole without list nodes in force")
    try:
        done = run(tmp_path / "reports", "--kubeconfig", str(deployed))
    finally:
        kubectl(api_server, "apply", "-k", str(ROOT / "deploy"))
    assert done.returncode == 4 and output_lines(done) == [
        f"ERROR: listing the nodes: missing permission: list nodes cluster-wide for {USER}: add it to the "
        f"ClusterRole {ROLE_NAME}"]
