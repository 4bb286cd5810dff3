"""``dra-claim-unallocatable`` seen with the official client (registered in tests/sim/test_fault_scenarios.py): a
gpu.nvidia.com claim pinned to k8s-node06 stays Pending in the scheduler's words, the same claim on k8s-node05
(driver 550, which the narrowed DeviceClass admits) runs vectoradd."""

from __future__ import annotations

from gpusim.testing import eventually
from kubernetes import client

from tests.sim.fault_api import Api

VECTORADD = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0"
UNALLOCATABLE = ("0/3 nodes are available: 1 cannot allocate all claims, 1 node(s) didn't match Pod's node "
                 "affinity/selector, 1 node(s) had untolerated taint")


def _vectoradd_on(api: Api, node: str) -> str:
    name = f"vectoradd-{node}"
    template = client.V1ResourceClaimTemplate(metadata=client.V1ObjectMeta(name=name), spec={"spec": {"devices": {
        "requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]}}})
    client.ResourceV1Api(api.client).create_namespaced_resource_claim_template("default", template)
    api.core.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {
        "restartPolicy": "Never", "nodeSelector": {"kubernetes.io/hostname": node},
        "resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": name}],
        "containers": [{"name": "vectoradd", "image": VECTORADD, "resources": {"claims": [{"name": "gpu"}]}}]}})
    return name


def dra_claim_unallocatable(api: Api) -> None:
    pending = _vectoradd_on(api, "k8s-node06")

    def refused() -> bool:
        events = api.core.list_namespaced_event("default", field_selector=f"involvedObject.name={pending}").items
        return any(e.reason == "FailedScheduling" and e.message.startswith(UNALLOCATABLE) for e in events)

    eventually(refused, what="FailedScheduling: cannot allocate all claims")
    assert api.core.read_namespaced_pod(pending, "default").status.phase == "Pending"
    ran = _vectoradd_on(api, "k8s-node05")
    eventually(lambda: api.core.read_namespaced_pod(ran, "default").status.phase == "Succeeded",
               what="vectoradd on k8s-node05")
    assert "Test PASSED" in api.core.read_namespaced_pod_log(ran, "default")
