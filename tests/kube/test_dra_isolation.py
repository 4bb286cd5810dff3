"""DRA-SECURE-ACCESS's gathering against the simulated API (kube/dra_isolation.py): per node a claiming pod (the
holder uses the claim, the bystander does not, no extended resources) and a pod without a claim; a node whose GPUs
other claims hold gets no claiming pod, its looks saying why; the holders are released once read; the judge over
what was gathered on the seed's leaking wiring."""

from __future__ import annotations

import pytest
from gpusim.testing import StartCluster, eventually

from gpu_conformance.facts.dra_isolation import DraIsolation
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.dra import gather_dra
from gpu_conformance.kube.dra_isolation import gather_dra_isolation
from gpu_conformance.kube.isolation_pods import DRA_CLAIMED, isolation_pod
from gpu_conformance.kube.run import RunContext
from gpu_conformance.requirements.dra_secure_access import dra_secure_access

from .conftest import Connect
from .dra_support import dra_cluster, hold, listed

pytestmark = pytest.mark.e2e


def test_claiming_and_unclaimed_pods_and_a_busy_node(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = dra_cluster(start_cluster)
    hold(cluster, "k8s-node06")
    conn, settings = connect_to(cluster, timeout=20.0, keep_resources=True)
    nodes, run = gpu_nodes(conn, settings), RunContext()

    dra = gather_dra(conn, [n.name for n in nodes])
    found = gather_dra_isolation(conn, settings, dra, nodes, run)

    busy = found["k8s-node06"]
    assert isinstance(busy, DraIsolation) and busy.holder.view is None and busy.unclaimed.view is not None
    assert "allocated to other claims (default/train)" in (busy.holder.problem or "")
    ran = found["k8s-node05"]
    assert isinstance(ran, DraIsolation) and ran.unclaimed.view is not None
    # the seed's tutorial wiring (nvidia the default runtime, the env var accepted) hands every GPU to a pod without
    # a claim, as to one without a GPU request (SEC-NO-REQUEST-NO-GPU)
    verdict = dra_secure_access(ran, dra)
    assert not verdict.ok and verdict.message.startswith(
        "[DRA-SECURE-ACCESS] found /dev/nvidia0, /dev/nvidia1; 2 GPUs in NVML")
    assert f"at pod gpu-conformance/sec-dra-noclaim-k8s-node05-{run.run_id} container image-env" in verdict.message
    pods = {p["metadata"]["name"]: p["spec"] for p in listed(cluster, "pods")}
    template = f"sec-dra-claim-k8s-node05-{run.run_id}"
    assert [t["metadata"]["name"] for t in listed(cluster, "resourceclaimtemplates")] == [template]
    claimed = isolation_pod(settings, nodes[0], run, DRA_CLAIMED, None, template)["spec"]  # as created, now released
    assert claimed["resourceClaims"] == [{"name": "gpu", "resourceClaimTemplateName": template}]
    assert [(c["name"], c["resources"].get("claims"), c["resources"]["limits"]) for c in claimed["containers"]] == [
        ("holder", [{"name": "gpu"}], {"memory": "256Mi"}), ("bystander", None, {"memory": "256Mi"})]
    unclaimed = pods[f"sec-dra-noclaim-k8s-node05-{run.run_id}"]
    assert "resourceClaims" not in unclaimed
    assert [(c["name"], c["resources"].get("claims"), c["resources"]["limits"]) for c in unclaimed["containers"]] == [
        ("image-env", None, {"memory": "256Mi"})]
    eventually(lambda: not any(p["metadata"]["name"].startswith("sec-dra-claim") for p in listed(cluster, "pods")),
               what="the claiming pods released once read")
