"""ResourceClaims end to end on the bundled ``dra`` scenario, through the official client and kubectl: template ->
claim -> allocation -> prepared CDI devices in the claiming container only -> claim gone after the pod; claims
that cannot be allocated, selectors outside the CEL subset, and a driver without a registered kubelet plugin."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.images import register_image
from gpusim.scenario import load
from gpusim.testing import TEST_ADDRESS_BLOCK, kubectl
from kubernetes import client, config

from tests.sim.nvml_program import NVML_UUIDS

pytestmark = pytest.mark.e2e

SEES_IMAGE = "example.com/dra-sees:1.0"
register_image("dra-sees", "python", [sys.executable], env={})
SEES = NVML_UUIDS + """
import json
print(json.dumps(nvml_uuids() or []))
"""
GROUP, VERSION = "resource.k8s.io", "v1"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    path = tmp_path_factory.mktemp("dra") / "kubeconfig"
    cluster = SimCluster(load("dra"), path, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def api(sim: SimCluster) -> client.ApiClient:
    return config.new_client_from_config(str(sim.kubeconfig))


def create(api: client.ApiClient, plural: str, body: dict[str, Any], namespaced: bool = True) -> None:
    objects = client.CustomObjectsApi(api)
    if namespaced:
        objects.create_namespaced_custom_object(GROUP, VERSION, "default", plural, body)
    else:
        objects.create_cluster_custom_object(GROUP, VERSION, plural, body)


def template(name: str, exactly: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ResourceClaimTemplate", "metadata": {"name": name},
            "spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": exactly}]}}}}


def claiming_pod(name: str, template_name: str, image: str = SEES_IMAGE, second: bool = False) -> dict[str, Any]:
    command = ["python", "-c", SEES] if image == SEES_IMAGE else None
    containers: list[dict[str, Any]] = [{"name": "with", "image": image, "resources": {"claims": [{"name": "gpu"}]}}]
    if second:
        containers.append({"name": "without", "image": image})
    for container in containers:
        if command:
            container["command"] = command
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"restartPolicy": "Never", "containers": containers,
                     "resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": template_name}]}}


def wait(what: str, probe: Callable[[], Any], timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def events(api: client.ApiClient, pod: str, reason: str) -> list[str]:
    listed = client.CoreV1Api(api).list_namespaced_event("default", field_selector=f"involvedObject.name={pod}")
    return [e.message for e in listed.items if e.reason == reason]


def claims_of(api: client.ApiClient, pod_uid: str) -> list[dict[str, Any]]:
    listed = client.CustomObjectsApi(api).list_namespaced_custom_object(GROUP, VERSION, "default", "resourceclaims")
    return [c for c in listed["items"] if any(r["uid"] == pod_uid for r in c["metadata"].get("ownerReferences", []))]


def slice_uuid(api: client.ApiClient, result: dict[str, str]) -> str:
    slices = client.CustomObjectsApi(api).list_cluster_custom_object(GROUP, VERSION, "resourceslices")["items"]
    for item in slices:
        if item["spec"]["pool"]["name"] == result["pool"]:
            for device in item["spec"]["devices"]:
                if device["name"] == result["device"]:
                    uuid: str = device["attributes"]["uuid"]["string"]
                    return uuid
    raise AssertionError(f"no slice device {result}")


def test_a_template_claim_is_allocated_and_only_its_container_sees_the_gpu(sim: SimCluster,
                                                                         api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    create(api, "resourceclaimtemplates", template("one-gpu", {"deviceClassName": "gpu.nvidia.com"}))
    pod = core.create_namespaced_pod("default", claiming_pod("sees-claim", "one-gpu", second=True))
    core.create_namespaced_pod("default", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "sees-none"},
                                           "spec": {"restartPolicy": "Never", "containers": [
                                               {"name": "c", "image": SEES_IMAGE, "command": ["python", "-c", SEES]}]}})
    claim = wait("the claim's allocation", lambda: [c for c in claims_of(api, pod.metadata.uid)
                                                     if c.get("status", {}).get("reservedFor")])[0]
    assert claim["metadata"]["name"].startswith("sees-claim-gpu-")
    assert claim["metadata"]["annotations"]["resource.kubernetes.io/pod-claim-name"] == "gpu"
    owner = claim["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["controller"], owner["blockOwnerDeletion"]) == ("Pod", True, True)
    results = claim["status"]["allocation"]["devices"]["results"]
    assert [(r["request"], r["driver"]) for r in results] == [("gpu", "gpu.nvidia.com")]
    assert claim["status"]["reservedFor"] == [{"resource": "pods", "name": "sees-claim", "uid": pod.metadata.uid}]
    done = wait("the pods", lambda: all(core.read_namespaced_pod(n, "default").status.phase == "Succeeded"
                                        for n in ("sees-claim", "sees-none")))
    assert done
    status = core.read_namespaced_pod("sees-claim", "default").status
    assert [(s.name, s.resource_claim_name) for s in status.resource_claim_statuses] == [
        ("gpu", claim["metadata"]["name"])]
    assert json.loads(core.read_namespaced_pod_log("sees-claim", "default", container="with")) == [
        slice_uuid(api, results[0])]
    assert json.loads(core.read_namespaced_pod_log("sees-claim", "default", container="without")) == []
    assert json.loads(core.read_namespaced_pod_log("sees-none", "default")) == []
    wait("the claim's deletion after the pod", lambda: not claims_of(api, pod.metadata.uid))
    node = core.read_namespaced_pod("sees-claim", "default").spec.node_name
    assert not list((sim.host_root(node) / "var/run/cdi").glob("k8s.gpu.nvidia.com-claim_*"))


def test_vectoradd_passes_with_its_claimed_gpu(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    create(api, "resourceclaimtemplates", template("vectoradd-gpu", {"deviceClassName": "gpu.nvidia.com"}))
    core.create_namespaced_pod("default", claiming_pod(
        "vectoradd", "vectoradd-gpu", image="nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0"))
    wait("vectoradd", lambda: core.read_namespaced_pod("vectoradd", "default").status.phase == "Succeeded")
    assert "Test PASSED" in core.read_namespaced_pod_log("vectoradd", "default", container="with")


def test_an_unallocatable_claim_keeps_the_pod_pending_in_the_schedulers_words(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    selector = {"cel": {"expression": "device.attributes['gpu.nvidia.com'].productName == 'NVIDIA B200'"}}
    create(api, "resourceclaimtemplates", template("b200", {"deviceClassName": "gpu.nvidia.com",
                                                            "selectors": [selector]}))
    core.create_namespaced_pod("default", claiming_pod("wants-b200", "b200"))
    message = wait("FailedScheduling", lambda: [m for m in events(api, "wants-b200", "FailedScheduling")
                                                if "cannot allocate" in m])[0]
    assert message.startswith("0/3 nodes are available: 1 node(s) had untolerated taint")
    assert "2 cannot allocate all claims." in message
    assert core.read_namespaced_pod("wants-b200", "default").status.phase == "Pending"


def test_a_selector_outside_the_cel_subset_fails_scheduling_naming_it(api: client.ApiClient) -> None:
    expression = "device.attributes['gpu.nvidia.com'].productName.startsWith('NVIDIA')"
    create(api, "resourceclaimtemplates", template("starts", {"deviceClassName": "gpu.nvidia.com",
                                                              "selectors": [{"cel": {"expression": expression}}]}))
    core = client.CoreV1Api(api)
    core.create_namespaced_pod("default", claiming_pod("starts-with", "starts"))
    message = wait("FailedScheduling", lambda: [m for m in events(api, "starts-with", "FailedScheduling")
                                                if "DynamicResources" in m])[0]
    assert message.startswith('running "DynamicResources" filter plugin: unsupported CEL expression')
    assert expression in message
    scheduled = core.read_namespaced_pod("starts-with", "default").status.conditions[0]
    assert (scheduled.type, scheduled.status, scheduled.reason) == ("PodScheduled", "False", "SchedulerError")


def test_a_claim_of_a_driver_without_a_registered_plugin_is_not_prepared(sim: SimCluster,
                                                                       api: client.ApiClient) -> None:
    selector = {"cel": {"expression": "device.driver == 'nic.example.com'"}}
    create(api, "deviceclasses", {"apiVersion": f"{GROUP}/{VERSION}", "kind": "DeviceClass",
                                  "metadata": {"name": "nic.example.com"}, "spec": {"selectors": [selector]}},
           namespaced=False)
    create(api, "resourceslices", {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ResourceSlice",
                                   "metadata": {"name": "k8s-node06-nic"},
                                   "spec": {"driver": "nic.example.com", "nodeName": "k8s-node06",
                                            "pool": {"name": "k8s-node06", "generation": 1, "resourceSliceCount": 1},
                                            "devices": [{"name": "nic-0"}]}}, namespaced=False)
    create(api, "resourceclaimtemplates", template("nic", {"deviceClassName": "nic.example.com"}))
    core = client.CoreV1Api(api)
    core.create_namespaced_pod("default", claiming_pod("wants-nic", "nic"))
    message = wait("FailedPrepareDynamicResources",
                   lambda: events(api, "wants-nic", "FailedPrepareDynamicResources"))[0]
    assert message == ("Failed to prepare dynamic resources: prepare dynamic resources: "
                       "DRA driver nic.example.com is not registered")
    pod = core.read_namespaced_pod("wants-nic", "default")
    assert pod.spec.node_name == "k8s-node06"
    assert pod.status.container_statuses[0].state.waiting.reason == "ContainerCreating"
    rows = {line.split()[0]: line.split()[1] for line in kubectl(sim, "get", "resourceclaims").stdout.splitlines()}
    assert rows.pop("NAME") == "STATE"
    states = {name.rsplit("-", 2)[0]: state for name, state in rows.items()}
    assert states["wants-nic"] == "allocated,reserved"


def test_a_shared_claim_is_deallocated_once_its_pod_is_done(api: client.ApiClient) -> None:
    body = template("standalone", {"deviceClassName": "gpu.nvidia.com"})
    claim = {"apiVersion": body["apiVersion"], "kind": "ResourceClaim", "metadata": {"name": "standalone"},
             "spec": body["spec"]["spec"]}
    create(api, "resourceclaims", claim)
    pod = claiming_pod("uses-standalone", "unused")
    pod["spec"]["resourceClaims"] = [{"name": "gpu", "resourceClaimName": "standalone"}]
    core = client.CoreV1Api(api)
    core.create_namespaced_pod("default", pod)
    objects = client.CustomObjectsApi(api)

    def status() -> dict[str, Any]:
        found: dict[str, Any] = objects.get_namespaced_custom_object(GROUP, VERSION, "default", "resourceclaims",
                                                                     "standalone").get("status") or {}
        return found

    wait("the pod", lambda: core.read_namespaced_pod("uses-standalone", "default").status.phase == "Succeeded")
    assert len(json.loads(core.read_namespaced_pod_log("uses-standalone", "default", container="with"))) == 1
    wait("the deallocation", lambda: not status())
    kept = objects.get_namespaced_custom_object(GROUP, VERSION, "default", "resourceclaims", "standalone")
    assert not kept["metadata"].get("finalizers")


def test_a_missing_template_is_reported_on_the_pod_until_it_exists(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    core.create_namespaced_pod("default", claiming_pod("early", "late-template"))
    message = wait("FailedResourceClaimCreation", lambda: events(api, "early", "FailedResourceClaimCreation"))[0]
    assert message == ('PodResourceClaim gpu: resource claim template "late-template": '
                       'resourceclaimtemplate.resource.k8s.io "late-template" not found')
    create(api, "resourceclaimtemplates", template("late-template", {"deviceClassName": "gpu.nvidia.com"}))
    wait("the pod", lambda: core.read_namespaced_pod("early", "default").status.phase == "Succeeded")


def test_a_pod_bound_past_the_scheduler_may_not_use_an_unreserved_claim(api: client.ApiClient) -> None:
    body = template("by-hand", {"deviceClassName": "gpu.nvidia.com"})
    create(api, "resourceclaims", {"apiVersion": body["apiVersion"], "kind": "ResourceClaim",
                                   "metadata": {"name": "by-hand"}, "spec": body["spec"]["spec"]})
    pod = claiming_pod("bound-by-hand", "unused")
    pod["spec"].update(nodeName="k8s-node05", resourceClaims=[{"name": "gpu", "resourceClaimName": "by-hand"}])
    made = client.CoreV1Api(api).create_namespaced_pod("default", pod)
    message = wait("FailedPrepareDynamicResources",
                   lambda: events(api, "bound-by-hand", "FailedPrepareDynamicResources"))[0]
    assert message.startswith("Failed to prepare dynamic resources: prepare dynamic resources: pod "
                              f"bound-by-hand({made.metadata.uid}) is not allowed to use resource claim by-hand(")


def test_a_claim_deleted_while_in_use_stays_until_its_pod_is_gone(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    uid = core.read_namespaced_pod("wants-nic", "default").metadata.uid
    name = claims_of(api, uid)[0]["metadata"]["name"]
    objects = client.CustomObjectsApi(api)
    objects.delete_namespaced_custom_object(GROUP, VERSION, "default", "resourceclaims", name)
    held = objects.get_namespaced_custom_object(GROUP, VERSION, "default", "resourceclaims", name)
    assert held["metadata"]["deletionTimestamp"]
    assert held["metadata"]["finalizers"] == ["resource.kubernetes.io/delete-protection"]
    core.delete_namespaced_pod("wants-nic", "default", grace_period_seconds=0)
    wait("the claim's removal", lambda: not claims_of(api, uid))
