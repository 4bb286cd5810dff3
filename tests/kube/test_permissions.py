"""A 403 from RBAC is one line everywhere: "missing permission: VERB RESOURCE SCOPE for USER: add it to ...".

Refusals come from a second API server over a simulated cluster whose authorizer denies one thing, in
the apiserver's own 403 wording (front_server); admission's 403s keep the server's words.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gpusim.testing import StartCluster
from kubernetes.client.exceptions import ApiException

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.client import Connection, connect
from gpu_conformance.kube.cluster import gpu_nodes, runtime_classes
from gpu_conformance.kube.errors import api_message, denial, permissions_as_facts
from gpu_conformance.kube.run import RunContext
from gpu_conformance.kube.workload import run_vectoradd
from gpu_conformance.settings import Settings
from tests.deploy.run_support import output_lines, run

from .conftest import FrontServer

pytestmark = pytest.mark.e2e

SA = "system:serviceaccount:gpu-conformance:gpu-conformance"
Deny = Callable[..., Connection]  # (verb, resource, subresource="") -> a connection refused just that


def forbidden(message: str) -> ApiException:
    err = ApiException(status=403, reason="Forbidden")
    err.body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message,
                           "reason": "Forbidden", "code": 403})
    return err


@pytest.mark.parametrize(("message", "expected"), [
    ('nodes is forbidden: User "system:serviceaccount:gpu-conformance:gpu-conformance" cannot list resource '
     '"nodes" in API group "" at the cluster scope',
     f"missing permission: list nodes cluster-wide for {SA}: add it to the ClusterRole gpu-conformance"),
    ('pods is forbidden: User "system:serviceaccount:gpu-conformance:gpu-conformance" cannot watch resource '
     '"pods" in API group "" in the namespace "gpu-conformance"',
     f"missing permission: watch pods in namespace gpu-conformance for {SA}: add it to the Role gpu-conformance"),
    ('pods "nvidia-device-plugin-ds-x7k2p" is forbidden: User "system:serviceaccount:gpu-conformance:'
     'gpu-conformance" cannot get resource "pods/log" in API group "" in the namespace "kube-system"',
     f"missing permission: get pods/log in namespace kube-system for {SA}: add it to the ClusterRole gpu-conformance"),
    ('daemonsets.apps is forbidden: User "alice" cannot list resource "daemonsets" in API group "apps" at the '
     'cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "gpu-conformance" not found',
     "missing permission: list daemonsets.apps cluster-wide for alice: add it to the ClusterRole gpu-conformance"),
    ('jobs.batch is forbidden: User "alice" cannot deletecollection resource "jobs" in API group "batch" in the '
     'namespace "gpu-conformance"',
     "missing permission: deletecollection jobs.batch in namespace gpu-conformance for alice: add it to the Role "
     "gpu-conformance"),
    ('forbidden: User "system:anonymous" cannot get path "/version"',
     "missing permission: get /version cluster-wide for system:anonymous: add it to the ClusterRole gpu-conformance"),
])
def test_the_apiservers_refusals_read_as_missing_permissions(message: str, expected: str) -> None:
    assert api_message(forbidden(message)) == expected


def test_other_403s_keep_the_servers_words() -> None:
    pod_security = ('pods "probe-k8s-node05-1a2b3c" is forbidden: violates PodSecurity "baseline:latest": '
                    'privileged (container "probe" must not set securityContext.privileged=true)')
    assert denial(forbidden(pod_security)) is None
    assert api_message(forbidden(pod_security)) == f"403 Forbidden: {pod_security}"
    assert denial(ApiException(status=404, reason="Not Found")) is None


@pytest.fixture
def deny(start_cluster: StartCluster, front_server: FrontServer) -> Iterator[Deny]:
    """``deny(verb, resource, subresource)``: a connection to the seed cluster that may do all but that."""
    cluster, opened = start_cluster("seed"), []

    def make(verb: str, resource: str, subresource: str = "") -> Connection:
        refused = (verb, resource, subresource)

        def authorize(user: str, verb: str, group: str, resource: str, subresource: str, namespace: str,
                      name: str) -> bool:
            return (verb, resource, subresource) != refused

        opened.append(connect(Settings(kubeconfig=str(front_server(cluster, authorize)), timeout=30)))
        return opened[-1]

    yield make
    for conn in opened:
        conn.close()


def test_gathering_facts_without_permission_could_not_inspect(deny: Deny) -> None:
    conn = deny("list", "runtimeclasses")
    with pytest.raises(FactsUnavailable) as caught, permissions_as_facts():
        runtime_classes(conn)
    assert caught.value.message == ("missing permission: list runtimeclasses.node.k8s.io cluster-wide for "
                                    "gpu-sim-admin: add it to the ClusterRole gpu-conformance")


def test_vectoradd_jobs_that_may_not_be_created_are_not_a_failure_of_the_node(deny: Deny) -> None:
    conn = deny("create", "jobs")
    settings = Settings(timeout=30)
    with pytest.raises(FactsUnavailable) as caught, permissions_as_facts():
        run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    assert caught.value.message == ("missing permission: create jobs.batch in namespace gpu-conformance for "
                                    "gpu-sim-admin: add it to the Role gpu-conformance")


def test_cleanup_without_permission_says_what_is_missing(deny: Deny) -> None:
    conn, run = deny("deletecollection", "jobs"), RunContext()  # a namespace it did not make: kind by kind
    assert cleanup(conn, Settings(), run) == [
        f"deleting Jobs {run.selector()} in gpu-conformance: missing permission: deletecollection jobs.batch in "
        "namespace gpu-conformance for gpu-sim-admin: add it to the Role gpu-conformance"]


def test_cleanup_that_may_not_list_pods_reports_it_and_goes_on(deny: Deny) -> None:
    conn = deny("list", "pods")
    problems = cleanup(conn, Settings(), RunContext(created_namespace=True))
    assert problems == ["deleting namespace gpu-conformance: missing permission: list pods in namespace "
                        "gpu-conformance for gpu-sim-admin: add it to the Role gpu-conformance"]


def test_the_suite_stops_at_once_without_listing_nodes(start_cluster: StartCluster, front_server: FrontServer,
                                                       tmp_path: Path) -> None:
    def no_nodes(user: str, verb: str, group: str, resource: str, subresource: str, namespace: str, name: str) -> bool:
        return (verb, resource) != ("list", "nodes")

    done = run(tmp_path, "--kubeconfig", str(front_server(start_cluster("seed"), no_nodes)))
    assert done.returncode == 4 and output_lines(done) == [
        "ERROR: listing the nodes: missing permission: list nodes cluster-wide for gpu-sim-admin: add it to the "
        "ClusterRole gpu-conformance"], done.stdout + done.stderr


def test_checks_whose_facts_are_refused_could_not_inspect(start_cluster: StartCluster, front_server: FrontServer,
                                                          tmp_path: Path) -> None:
    def no_daemonsets(user: str, verb: str, group: str, resource: str, subresource: str, namespace: str,
                      name: str) -> bool:
        return resource != "daemonsets"

    kubeconfig = front_server(start_cluster("seed"), no_daemonsets)
    done = run(tmp_path, "--kubeconfig", str(kubeconfig), "-m", "not workload")
    results = json.loads((tmp_path / "summary.json").read_text())["results"]
    broken = {(r["check"], r["message"]) for r in results if r["outcome"] == "broken"}
    refused = ("could not inspect: missing permission: list daemonsets.apps cluster-wide for gpu-sim-admin: add it "
               "to the ClusterRole gpu-conformance")
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert {check for check, _ in broken} == {"PLUGIN-DEPLOYED", "PLUGIN-DAEMONSET-READY", "PLUGIN-POD-READY",
                                              "CAPACITY-ADVERTISED"}
    assert {message for _, message in broken} == {refused}
