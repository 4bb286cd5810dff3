"""DRA-VECTORADD's gathering against the simulated API (kube/dra_workload.py): a ResourceClaimTemplate per node in
the version the cluster speaks, the Job's pod claiming through it, a node whose GPUs other claims hold skipped, and
the run's cleanup deleting the templates with its Jobs."""

from __future__ import annotations

import pytest
from gpusim.scenario import loads
from gpusim.testing import StartCluster, eventually
from kubernetes import client

from gpu_conformance.facts.dra_workload import DraWorkload
from gpu_conformance.kube.cleanup import cleanup
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.dra import gather_dra
from gpu_conformance.kube.dra_workload import make_templates, run_dra_vectoradd
from gpu_conformance.kube.namespace import ensure_namespace
from gpu_conformance.kube.run import RunContext

from .conftest import Connect
from .dra_support import SEED_132_BETA, dra_cluster, hold, listed

pytestmark = pytest.mark.e2e


def test_templates_jobs_busy_nodes_and_cleanup(start_cluster: StartCluster, connect_to: Connect) -> None:
    cluster = dra_cluster(start_cluster)
    hold(cluster, "k8s-node06")
    conn, settings = connect_to(cluster, timeout=20.0)
    nodes, run = gpu_nodes(conn, settings), RunContext()
    dra = gather_dra(conn, [n.name for n in nodes])
    assert dra.version == "v1"

    found = run_dra_vectoradd(conn, settings, dra, nodes, run)

    busy = found["k8s-node06"]
    assert isinstance(busy, DraWorkload) and busy.workload.result == "gpus_busy"
    assert "allocated to other claims (default/train)" in busy.workload.detail
    ran = found["k8s-node05"]
    assert isinstance(ran, DraWorkload) and ran.workload.pod is not None
    (template,) = listed(cluster, "resourceclaimtemplates")
    name = f"vectoradd-dra-k8s-node05-{run.run_id}"
    assert template["metadata"]["name"] == name
    assert template["spec"]["spec"] == {"devices": {"requests": [{"name": "gpu", "exactly": {
        "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}}]}}
    assert template["spec"]["metadata"]["labels"] == run.component_labels("vectoradd-dra")
    job = client.BatchV1Api(conn.api_client).read_namespaced_job(name, "gpu-conformance")
    pod_spec = job.spec.template.spec
    assert [(c.name, c.resource_claim_template_name) for c in pod_spec.resource_claims] == [("gpu", name)]
    resources = pod_spec.containers[0].resources
    assert ([c.name for c in resources.claims], resources.limits) == (["gpu"], None)

    assert cleanup(conn, settings, run) == []
    eventually(lambda: not listed(cluster, "resourceclaimtemplates"), what="the run's ResourceClaimTemplates deleted")


def test_a_v1beta1_cluster_accepts_the_templates_in_its_shape(start_cluster: StartCluster,
                                                                connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster(loads(SEED_132_BETA)))
    nodes, run = gpu_nodes(conn, settings), RunContext()
    ensure_namespace(conn, settings.namespace, run)
    dra = gather_dra(conn, [n.name for n in nodes])
    assert dra.version == "v1beta1"
    made, troubles = make_templates(conn, settings, dra, nodes, run, "vectoradd-dra")
    assert (sorted(made), troubles) == (["k8s-node05", "k8s-node06"], {})
    template = client.CustomObjectsApi(conn.api_client).get_namespaced_custom_object(
        "resource.k8s.io", "v1beta1", settings.namespace, "resourceclaimtemplates", made["k8s-node05"])
    assert template["spec"]["spec"]["devices"]["requests"] == [
        {"name": "gpu", "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}]
