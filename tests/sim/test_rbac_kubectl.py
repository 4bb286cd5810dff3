"""RBAC and ServiceAccount tokens in the simulated cluster, driven with the real kubectl as admin and as an SA."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import StartCluster, kubectl, service_account_kubeconfig

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
NS = "gpu-conformance"
USER = f"system:serviceaccount:{NS}:gpu-conformance"
NODE_READER = f"""
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: node-reader
rules:
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["get", "list", "watch"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: gpu-conformance-node-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: node-reader
subjects:
- kind: ServiceAccount
  name: gpu-conformance
  namespace: {NS}
"""


@dataclass
class Account:
    cluster: SimCluster
    kubeconfig: Path

    def kubectl(self, *args: str, check: bool = True, stdin: str | None = None) -> str:
        """kubectl as the ServiceAccount: stdout, or stderr when ``check`` is False and it fails."""
        done = kubectl(self.cluster, *args, check=check, stdin=stdin, kubeconfig=self.kubeconfig)
        return done.stdout if done.returncode == 0 else done.stderr.strip()

    def admin(self, *args: str, stdin: str | None = None) -> str:
        return kubectl(self.cluster, *args, stdin=stdin).stdout

    def can_i(self, *args: str) -> bool:
        """``kubectl auth can-i``: "yes" and exit 0, or "no" and exit 1."""
        done = kubectl(self.cluster, "auth", "can-i", *args, check=False, kubeconfig=self.kubeconfig)
        assert (done.stdout.strip(), done.returncode) in (("yes", 0), ("no", 1)), done
        return done.returncode == 0


@pytest.fixture
def account(start_cluster: StartCluster, tmp_path: Path) -> Account:
    cluster = start_cluster("seed")
    kubectl(cluster, "create", "namespace", NS)
    kubectl(cluster, "create", "serviceaccount", "gpu-conformance", "-n", NS)
    return Account(cluster, service_account_kubeconfig(cluster, NS, "gpu-conformance", tmp_path / "sa.kubeconfig"))


def test_a_new_service_account_may_not_list_nodes_and_is_told_so_in_the_apiservers_words(account: Account) -> None:
    assert account.kubectl("get", "nodes", check=False) == (
        f'Error from server (Forbidden): nodes is forbidden: User "{USER}" cannot list resource "nodes" '
        'in API group "" at the cluster scope')
    assert not account.can_i("list", "nodes")


def test_every_authenticated_account_may_read_version_and_discovery_but_no_other_path(account: Account) -> None:
    assert '"gitVersion":"v1.28.2"' in account.kubectl("get", "--raw", "/version")
    assert '"kind":"APIGroupList"' in account.kubectl("get", "--raw", "/apis")
    assert account.kubectl("get", "--raw", "/metrics", check=False) == (
        f'Error from server (Forbidden): forbidden: User "{USER}" cannot get path "/metrics"')


def test_whoami_names_the_service_account_and_its_groups(account: Account) -> None:
    rows = [line.split(None, 1) for line in account.kubectl("auth", "whoami").splitlines()[1:]]
    table = {key: value.strip() for key, value in rows}
    assert table["Username"] == USER
    assert table["Groups"] == f"[system:serviceaccounts system:serviceaccounts:{NS} system:authenticated]"


def test_a_cluster_role_and_binding_applied_with_kubectl_grant_exactly_their_rules(account: Account) -> None:
    account.admin("apply", "-f", "-", stdin=NODE_READER)
    assert account.kubectl("get", "nodes", "-o", "name").split() == [
        "node/k8s-master01", "node/k8s-node05", "node/k8s-node06"]
    assert account.can_i("watch", "nodes")
    assert account.kubectl("delete", "node", "k8s-node05", check=False) == (
        f'Error from server (Forbidden): nodes "k8s-node05" is forbidden: User "{USER}" cannot delete resource '
        '"nodes" in API group "" at the cluster scope')
    assert not account.can_i("delete", "nodes")
    rows = account.admin("get", "clusterrolebindings", "-o", "wide").splitlines()
    assert rows[0].split() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    mine = next(row.split() for row in rows if row.startswith("gpu-conformance-node-reader "))
    assert mine[1] == "ClusterRole/node-reader" and mine[-1] == f"{NS}/gpu-conformance"
    assert account.admin("get", "clusterroles", "node-reader").split()[:3] == ["NAME", "CREATED", "AT"]


def test_a_role_binding_grants_only_in_its_own_namespace(account: Account) -> None:
    account.admin("create", "namespace", "elsewhere")
    account.admin("create", "rolebinding", "viewers", "--clusterrole=view", f"--serviceaccount={NS}:gpu-conformance",
                  "-n", NS)
    assert account.kubectl("get", "pods", "-n", NS) == ""
    assert account.kubectl("get", "pods", "-n", "elsewhere", check=False) == (
        f'Error from server (Forbidden): pods is forbidden: User "{USER}" cannot list resource "pods" '
        'in API group "" in the namespace "elsewhere"')
    assert account.kubectl("get", "pods", "-A", check=False).endswith('cannot list resource "pods" in API group "" '
                                                                      "at the cluster scope")
    assert account.admin("get", "rolebindings", "-n", NS).split()[3:5] == ["viewers", "ClusterRole/view"]


def test_resource_names_restrict_get_but_a_list_only_by_a_name_selector(account: Account) -> None:
    for name in ("allowed", "other"):
        account.admin("create", "configmap", name, "-n", NS, "--from-literal=k=v")
    account.admin("create", "role", "one-configmap", "--verb=get,list", "--resource=configmaps",
                  "--resource-name=allowed", "-n", NS)
    account.admin("create", "rolebinding", "one-configmap", "--role=one-configmap",
                  f"--serviceaccount={NS}:gpu-conformance", "-n", NS)
    assert account.kubectl("get", "configmap", "allowed", "-n", NS, "-o", "name") == "configmap/allowed\n"
    assert account.kubectl("get", "configmap", "other", "-n", NS, check=False) == (
        f'Error from server (Forbidden): configmaps "other" is forbidden: User "{USER}" cannot get resource '
        f'"configmaps" in API group "" in the namespace "{NS}"')
    assert "cannot list resource" in account.kubectl("get", "configmaps", "-n", NS, check=False)
    selected = account.kubectl("get", "configmaps", "-n", NS, "--field-selector=metadata.name=allowed", "-o", "name")
    assert selected == "configmap/allowed\n"


def test_a_subresource_needs_its_own_rule(account: Account) -> None:
    account.admin("create", "clusterrole", "pod-reader", "--verb=get,list", "--resource=pods")
    account.admin("create", "clusterrolebinding", "pod-reader", "--clusterrole=pod-reader",
                  f"--serviceaccount={NS}:gpu-conformance")
    pod = account.kubectl("get", "pods", "-n", "kube-system", "-o", "name").split()[0].split("/")[1]
    assert account.kubectl("logs", pod, "-n", "kube-system", check=False) == (
        f'Error from server (Forbidden): pods "{pod}" is forbidden: User "{USER}" cannot get resource "pods/log" '
        'in API group "" in the namespace "kube-system"')
    account.admin("create", "clusterrole", "log-reader", "--verb=get", "--resource=pods/log")
    account.admin("create", "clusterrolebinding", "log-reader", "--clusterrole=log-reader",
                  f"--serviceaccount={NS}:gpu-conformance")
    assert "Registered device plugin" in account.kubectl("logs", pod, "-n", "kube-system")


def test_a_binding_to_a_missing_role_says_so_after_the_refusal(account: Account) -> None:
    account.admin("create", "clusterrolebinding", "dangling", "--clusterrole=ghost",
                  f"--serviceaccount={NS}:gpu-conformance")
    assert account.kubectl("get", "nodes", check=False).endswith(
        'at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "ghost" not found')


def test_bindings_are_validated_as_the_apiserver_validates_them(account: Account) -> None:
    manifest = NODE_READER.split("---")[1].replace(f"  namespace: {NS}\n", "")
    done = kubectl(account.cluster, "apply", "-f", "-", stdin=manifest, check=False)
    assert done.stderr.strip() == (
        'The ClusterRoleBinding "gpu-conformance-node-reader" is invalid: subjects[0].namespace: Required value')
    account.admin("apply", "-f", "-", stdin=NODE_READER)
    changed = NODE_READER.split("---")[1].replace("name: node-reader", "name: view")
    done = kubectl(account.cluster, "apply", "-f", "-", stdin=changed, check=False)
    assert "roleRef: Invalid value: " in done.stderr and done.stderr.strip().endswith("cannot change roleRef")


def test_tokens_of_a_deleted_service_account_stop_working(account: Account) -> None:
    account.admin("apply", "-f", "-", stdin=NODE_READER)
    assert account.kubectl("get", "nodes", "-o", "name")
    account.admin("delete", "serviceaccount", "gpu-conformance", "-n", NS)
    assert account.kubectl("get", "nodes", check=False) == "error: You must be logged in to the server (Unauthorized)"


def test_create_token_for_a_missing_account_is_not_found(account: Account) -> None:
    done = kubectl(account.cluster, "create", "token", "nobody", "-n", NS, check=False)
    assert done.stderr.strip() == 'error: failed to create token: serviceaccounts "nobody" not found'
    short = kubectl(account.cluster, "create", "token", "gpu-conformance", "-n", NS, "--duration=1m", check=False)
    assert short.stderr.strip().endswith(
        "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes")


def test_impersonation_answers_for_the_account_and_needs_its_own_permission(account: Account) -> None:
    done = kubectl(account.cluster, "auth", "can-i", "list", "nodes", f"--as={USER}", check=False)
    assert (done.stdout.strip(), done.returncode) == ("no", 1)
    account.admin("apply", "-f", "-", stdin=NODE_READER)
    assert kubectl(account.cluster, "get", "nodes", f"--as={USER}", "-o", "name").stdout.count("node/") == 3
    assert account.kubectl("get", "nodes", "--as=bob", check=False) == (
        f'Error from server (Forbidden): users "bob" is forbidden: User "{USER}" cannot impersonate resource "users" '
        'in API group "" at the cluster scope')


def test_a_subject_access_review_says_which_binding_allows(account: Account) -> None:
    account.admin("apply", "-f", "-", stdin=NODE_READER)
    review = f"""
apiVersion: authorization.k8s.io/v1
kind: SubjectAccessReview
spec:
  user: {USER}
  groups: [system:serviceaccounts, system:authenticated]
  resourceAttributes: {{verb: list, resource: nodes}}
"""
    status = json.loads(account.admin("create", "-f", "-", "-o", "json", stdin=review))["status"]
    assert status == {"allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "gpu-conformance-node-reader" '
                      'of ClusterRole "node-reader" to ServiceAccount "gpu-conformance/gpu-conformance"'}
    denied = json.loads(account.admin("create", "-f", "-", "-o", "json", stdin=review.replace("list", "delete")))
    assert denied["status"] == {"allowed": False}
