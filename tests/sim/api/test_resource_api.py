"""resource.k8s.io over HTTP: discovery per release, and each version reading and writing the one stored shape.

The official client's typed v1 and v1beta1 APIs drive the server, so what it sends and parses is the real shape.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gpusim.model import ClusterVersion
from gpusim.resources import RESOURCECLAIM, RESOURCESLICE, ROLE, ROLEBINDING
from gpusim.tls import TlsMaterial, make_tls
from kubernetes import client, watch
from kubernetes.client.exceptions import ApiException

from tests.sim.api.api_harness import TOKEN, SimApi, start_sim

pytestmark = pytest.mark.e2e
V1BETA1 = "resource.k8s.io/v1beta1"


def release(minor: int) -> ClusterVersion:
    return ClusterVersion(major="1", minor=str(minor), git_version=f"v1.{minor}.1")


@pytest.fixture(scope="module")
def tls() -> TlsMaterial:
    return make_tls()


def _started(tmp: Path, tls: TlsMaterial, minor: int, runtime_config: dict[str, bool]) -> Iterator[SimApi]:
    api = start_sim(tmp, tls, nodes=2, version=release(minor), runtime_config=runtime_config)
    yield api
    api.server.stop()


@pytest.fixture(scope="module")
def v128(tmp_path_factory: pytest.TempPathFactory, tls: TlsMaterial) -> Iterator[SimApi]:
    yield from _started(tmp_path_factory.mktemp("v128"), tls, 28, {})


@pytest.fixture(scope="module")
def v132(tmp_path_factory: pytest.TempPathFactory, tls: TlsMaterial) -> Iterator[SimApi]:
    yield from _started(tmp_path_factory.mktemp("v132"), tls, 32, {V1BETA1: True})


@pytest.fixture(scope="module")
def v134(tmp_path_factory: pytest.TempPathFactory, tls: TlsMaterial) -> Iterator[SimApi]:
    """1.34 with the beta versions switched on as well, so one server answers in all three."""
    yield from _started(tmp_path_factory.mktemp("v134"), tls, 34,
                        {V1BETA1: True, "resource.k8s.io/v1beta2": True})


def get(sim: SimApi, path: str, *, method: str = "GET", body: Any = None, as_user: str = "") -> tuple[int, Any]:
    """The server's answer to one request, as the admin or (impersonated) as ``as_user``."""
    context = ssl.create_default_context(cadata=sim.tls.ca_pem.decode()) if sim.tls else None
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
               **({"Impersonate-User": as_user} if as_user else {})}
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(sim.server.url + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def test_a_128_cluster_serves_no_resource_api(v128: SimApi) -> None:
    _, groups = get(v128, "/apis")
    assert "resource.k8s.io" not in [g["name"] for g in groups["groups"]]
    for path in ("/apis/resource.k8s.io", "/apis/resource.k8s.io/v1", "/apis/resource.k8s.io/v1/deviceclasses",
                 "/apis/resource.k8s.io/v1beta1/resourceslices"):
        code, body = get(v128, path)
        assert (code, body["reason"]) == (404, "NotFound"), path


def test_a_132_cluster_with_runtime_config_serves_v1beta1_only(v132: SimApi) -> None:
    _, group = get(v132, "/apis/resource.k8s.io")
    assert [v["version"] for v in group["versions"]] == ["v1beta1"]
    assert group["preferredVersion"] == {"groupVersion": V1BETA1, "version": "v1beta1"}
    _, resources = get(v132, "/apis/resource.k8s.io/v1beta1")
    assert {r["name"]: r["namespaced"] for r in resources["resources"]} == {
        "deviceclasses": False, "resourceslices": False, "resourceclaims": True, "resourceclaims/status": True,
        "resourceclaimtemplates": True}
    assert get(v132, "/apis/resource.k8s.io/v1/deviceclasses")[0] == 404
    _, index = get(v132, "/openapi/v3")
    assert "apis/resource.k8s.io/v1beta1" in index["paths"] and "apis/resource.k8s.io/v1" not in index["paths"]


def test_a_134_cluster_prefers_v1(v134: SimApi) -> None:
    _, group = get(v134, "/apis/resource.k8s.io")
    assert [v["version"] for v in group["versions"]] == ["v1", "v1beta2", "v1beta1"]
    assert group["preferredVersion"]["version"] == "v1"


SLICE_V1BETA1 = {
    "apiVersion": V1BETA1, "kind": "ResourceSlice", "metadata": {"name": "node-1-gpu.nvidia.com-abcde"},
    "spec": {"driver": "gpu.nvidia.com", "nodeName": "node-1",
             "pool": {"name": "node-1", "generation": 0, "resourceSliceCount": 1},
             "devices": [{"name": "gpu-0", "basic": {
                 "attributes": {"type": {"string": "gpu"}, "driverVersion": {"version": "580.95.5"}},
                 "capacity": {"memory": {"value": "81920Mi"}}}}]},
}


def test_a_slice_written_in_v1beta1_is_stored_flat_and_read_in_every_version(v134: SimApi) -> None:
    beta = client.ResourceV1beta1Api(v134.api_client())
    beta.create_resource_slice(SLICE_V1BETA1)
    stored = v134.store.get(RESOURCESLICE, "", "node-1-gpu.nvidia.com-abcde")
    assert stored["apiVersion"] == "resource.k8s.io/v1"
    assert stored["spec"]["devices"] == [{"name": "gpu-0", "capacity": {"memory": {"value": "80Gi"}}, "attributes": {
        "type": {"string": "gpu"}, "driverVersion": {"version": "580.95.5"}}}]
    v1 = client.ResourceV1Api(v134.api_client()).read_resource_slice("node-1-gpu.nvidia.com-abcde")
    assert v1.spec.devices[0].attributes["driverVersion"].version == "580.95.5"
    assert v1.spec.node_name == "node-1"
    again = beta.read_resource_slice("node-1-gpu.nvidia.com-abcde")
    assert again.api_version == V1BETA1 and again.spec.devices[0].basic.capacity["memory"].value == "80Gi"
    _, v1beta2 = get(v134, "/apis/resource.k8s.io/v1beta2/resourceslices")
    assert v1beta2["apiVersion"] == "resource.k8s.io/v1beta2"
    assert v1beta2["items"][0]["spec"]["devices"][0]["attributes"]["type"] == {"string": "gpu"}
    mine = beta.list_resource_slice(field_selector="spec.nodeName=node-1,spec.driver=gpu.nvidia.com")
    assert [s.metadata.name for s in mine.items] == ["node-1-gpu.nvidia.com-abcde"]
    assert beta.list_resource_slice(field_selector="spec.nodeName=node-0").items == []


def test_a_claim_written_in_v1beta1_gets_exactly_and_defaults(v134: SimApi) -> None:
    beta = client.ResourceV1beta1Api(v134.api_client())
    beta.create_namespaced_resource_claim("default", {
        "apiVersion": V1BETA1, "kind": "ResourceClaim", "metadata": {"name": "one-gpu"},
        "spec": {"devices": {"requests": [{"name": "gpu", "deviceClassName": "gpu.nvidia.com"}]}}})
    stored = v134.store.get(RESOURCECLAIM, "default", "one-gpu")
    assert stored["spec"]["devices"]["requests"] == [
        {"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}}]
    read = beta.read_namespaced_resource_claim("one-gpu", "default")
    assert (read.spec.devices.requests[0].device_class_name, read.spec.devices.requests[0].count) == (
        "gpu.nvidia.com", 1)
    v1 = client.ResourceV1Api(v134.api_client())
    assert v1.read_namespaced_resource_claim("one-gpu", "default").spec.devices.requests[0].exactly.count == 1


def test_claim_status_goes_through_the_subresource_in_v1beta1(v134: SimApi) -> None:
    v1 = client.ResourceV1Api(v134.api_client())
    v1.create_namespaced_resource_claim("default", {
        "metadata": {"name": "status-gpu"},
        "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]}}})
    allocation = {"devices": {"results": [
        {"request": "gpu", "driver": "gpu.nvidia.com", "pool": "node-1", "device": "gpu-0"}]}}
    beta = client.ResourceV1beta1Api(v134.api_client())
    beta.patch_namespaced_resource_claim_status("status-gpu", "default", {"status": {"allocation": allocation}})
    assert v134.store.get(RESOURCECLAIM, "default", "status-gpu")["status"]["allocation"] == allocation
    assert v1.read_namespaced_resource_claim_status("status-gpu", "default").status.allocation.devices.results[
        0].device == "gpu-0"


def test_a_claim_spec_cannot_change_and_bad_requests_fail_in_the_apiservers_words(v134: SimApi) -> None:
    v1 = client.ResourceV1Api(v134.api_client())
    v1.create_namespaced_resource_claim("default", {
        "metadata": {"name": "fixed"},
        "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]}}})
    with pytest.raises(ApiException) as changed:
        v1.patch_namespaced_resource_claim("fixed", "default", {"spec": {"devices": {"requests": [
            {"name": "gpu", "exactly": {"deviceClassName": "mig.nvidia.com"}}]}}})
    status = json.loads(changed.value.body)
    assert status["code"] == 422 and status["message"].startswith('ResourceClaim.resource.k8s.io "fixed" is invalid: ')
    assert status["message"].endswith("field is immutable")
    with pytest.raises(ApiException) as missing:
        client.ResourceV1beta1Api(v134.api_client()).create_namespaced_resource_claim("default", {
            "apiVersion": V1BETA1, "kind": "ResourceClaim", "metadata": {"name": "empty"},
            "spec": {"devices": {"requests": [{"name": "gpu"}]}}})
    assert json.loads(missing.value.body)["message"] == (
        'ResourceClaim.resource.k8s.io "empty" is invalid: spec.devices.requests[0]: Required value: '
        "exactly one of `exactly` or `firstAvailable` is required")


def test_watch_in_v1beta1_streams_the_v1beta1_shape(v134: SimApi) -> None:
    beta = client.ResourceV1beta1Api(v134.api_client())
    v134.store.create(RESOURCESLICE, {
        "metadata": {"name": "node-0-gpu.nvidia.com-xyz"},
        "spec": {"driver": "gpu.nvidia.com", "nodeName": "node-0",
                 "pool": {"name": "node-0", "generation": 0, "resourceSliceCount": 1},
                 "devices": [{"name": "gpu-0", "attributes": {"type": {"string": "gpu"}}}]}})
    events = watch.Watch().stream(beta.list_resource_slice, field_selector="spec.nodeName=node-0",
                                  timeout_seconds=1)
    first = next(iter(events))
    assert first["type"] == "ADDED"
    assert first["object"].spec.devices[0].basic.attributes["type"].string == "gpu"
    assert first["raw_object"]["apiVersion"] == V1BETA1


def test_rbac_treats_the_kinds_like_any_resource(v134: SimApi) -> None:
    code, denied = get(v134, "/apis/resource.k8s.io/v1beta1/deviceclasses", as_user="carol")
    assert (code, denied["message"]) == (403, 'deviceclasses.resource.k8s.io is forbidden: User "carol" cannot list '
                                               'resource "deviceclasses" in API group "resource.k8s.io" at the cluster '
                                               "scope")
    v134.store.create(ROLE, {"metadata": {"name": "claims", "namespace": "default"}, "rules": [
        {"apiGroups": ["resource.k8s.io"], "resources": ["resourceclaims"], "verbs": ["create", "get"]}]})
    v134.store.create(ROLEBINDING, {"metadata": {"name": "carol-claims", "namespace": "default"},
                                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                                                "name": "claims"},
                                    "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                                  "name": "carol"}]})
    claim = {"apiVersion": V1BETA1, "kind": "ResourceClaim", "metadata": {"name": "carols"},
             "spec": {"devices": {"requests": [{"name": "gpu", "deviceClassName": "gpu.nvidia.com"}]}}}
    code, created = get(v134, "/apis/resource.k8s.io/v1beta1/namespaces/default/resourceclaims", method="POST",
                        body=claim, as_user="carol")
    assert code == 201 and created["apiVersion"] == V1BETA1
    assert created["spec"]["devices"]["requests"][0]["deviceClassName"] == "gpu.nvidia.com"
    code, _ = get(v134, "/apis/resource.k8s.io/v1/namespaces/default/resourceclaims/carols/status",
                  method="PATCH", body={"status": {}}, as_user="carol")
    assert code == 403  # resourceclaims/status is a resource of its own


def test_a_manifest_of_another_version_fails_under_strict_field_validation(v134: SimApi) -> None:
    flat_in_v1beta1 = {"apiVersion": V1BETA1, "kind": "ResourceSlice", "metadata": {"name": "wrong-shape"},
                       "spec": {**SLICE_V1BETA1["spec"], "devices": [{"name": "gpu-0", "attributes": {}}]}}
    code, status = get(v134, "/apis/resource.k8s.io/v1beta1/resourceslices?fieldValidation=Strict", method="POST",
                       body=flat_in_v1beta1)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == ('ResourceSlice in version "v1beta1" cannot be handled as a ResourceSlice: strict '
                                 'decoding error: unknown field "spec.devices[0].attributes"')
    exactly_in_v1beta1 = {"apiVersion": V1BETA1, "kind": "ResourceClaim", "metadata": {"name": "wrong-shape"},
                          "spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "g"}}]}}}
    code, status = get(v134, "/apis/resource.k8s.io/v1beta1/namespaces/default/resourceclaims", method="POST",
                       body=exactly_in_v1beta1)  # Warn, the default: dropped, then invalid
    assert code == 422 and "exactly one of `exactly` or `firstAvailable` is required" in status["message"]


def test_a_pod_whose_container_names_no_claim_of_the_pod_is_refused(v134: SimApi) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vectoradd"},
           "spec": {"containers": [{"name": "cuda", "image": "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0",
                                    "resources": {"claims": [{"name": "gpu"}]}}]}}
    code, status = get(v134, "/api/v1/namespaces/default/pods", method="POST", body=pod)
    assert (code, status["message"]) == (422, 'Pod "vectoradd" is invalid: spec.containers[0].resources.claims[0]: '
                                              'Not found: "gpu": must be one of the names in pod.spec.resourceClaims '
                                              "which is empty")


def test_without_dra_a_pods_claims_are_dropped_silently(v128: SimApi) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "vectoradd"},
           "spec": {"resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": "one-gpu"}],
                    "containers": [{"name": "cuda", "image": "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0",
                                    "resources": {"claims": [{"name": "gpu"}]}}]}}
    code, created = get(v128, "/api/v1/namespaces/default/pods", method="POST", body=pod)
    assert code == 201 and "resourceClaims" not in created["spec"]
    assert "claims" not in created["spec"]["containers"][0]["resources"]
