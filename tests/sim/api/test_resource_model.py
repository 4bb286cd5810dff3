"""resource.k8s.io without a server: served versions per release, v1beta1 conversion, defaults, validation, printing."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from gpusim.api import resource_conversion, resource_defaults, validation_resource
from gpusim.api.served import runtime_config_problem, served_apis
from gpusim.api.tables.resource import claim_state, slice_row
from gpusim.model import ClusterVersion
from gpusim.resources import DEVICECLASS, RESOURCECLAIM, RESOURCECLAIMTEMPLATE, RESOURCESLICE
from gpusim.scenario import ScenarioError, loads

V1BETA1 = "resource.k8s.io/v1beta1"


def version(minor: str) -> ClusterVersion:
    return ClusterVersion(major="1", minor=minor, git_version=f"v1.{minor.rstrip('+')}.2")


@pytest.mark.parametrize(
    ("minor", "runtime_config", "served"),
    [
        ("28", {}, ()),
        ("31", {}, ()),
        ("32", {}, ()),  # beta APIs are off by default
        ("32", {V1BETA1: True}, ("v1beta1",)),
        ("33", {V1BETA1: True, "resource.k8s.io/v1beta2": True}, ("v1beta2", "v1beta1")),
        ("34", {}, ("v1",)),
        ("34+", {V1BETA1: True}, ("v1", "v1beta1")),
        ("35", {"resource.k8s.io/v1": False}, ()),
    ],
)
def test_served_versions_follow_the_release_and_runtime_config(
    minor: str, runtime_config: dict[str, bool], served: tuple[str, ...]
) -> None:
    apis = served_apis(version(minor), runtime_config)
    assert apis.versions("resource.k8s.io") == served
    assert ("resource.k8s.io" in dict(apis.groups())) == bool(served)
    assert (apis.lookup("resource.k8s.io", served[0], "resourceslices") is RESOURCESLICE) if served else True


def test_runtime_config_names_only_versions_the_release_has() -> None:
    assert runtime_config_problem(version("32"), V1BETA1) is None
    assert runtime_config_problem(version("32"), "resource.k8s.io/v1") == (
        "Kubernetes v1.32.2 has no resource.k8s.io/v1 (it has v1beta1)")
    assert "from 1.32 on" in str(runtime_config_problem(version("28"), V1BETA1))
    assert "resource.k8s.io/<version> only" in str(runtime_config_problem(version("34"), "batch/v1"))


def scenario(kubernetes: str, api_server: str) -> str:
    return f"name: t\nkubernetes: {{version: {kubernetes}}}\napiServer: {api_server}\nnodes: [{{name: a}}]\n"


def test_scenario_reads_the_api_server_runtime_config() -> None:
    parsed = loads(scenario("v1.32.4", "{runtimeConfig: {resource.k8s.io/v1beta1: true}}"))
    assert parsed.runtime_config == ((V1BETA1, True),)
    assert loads(scenario("v1.34.1", "{}")).runtime_config == ()
    with pytest.raises(ScenarioError, match=r'apiServer.runtimeConfig\["resource.k8s.io/v1"\]: Kubernetes v1.28.3'):
        loads(scenario("v1.28.3", "{runtimeConfig: {resource.k8s.io/v1: true}}"))
    with pytest.raises(ScenarioError, match=r'v1beta1"\]: expected true or false, got "maybe"'):
        loads(scenario("v1.32.4", "{runtimeConfig: {resource.k8s.io/v1beta1: maybe}}"))


V1_SLICE: dict[str, Any] = {
    "apiVersion": "resource.k8s.io/v1", "kind": "ResourceSlice", "metadata": {"name": "node-1-gpu.nvidia.com"},
    "spec": {
        "driver": "gpu.nvidia.com", "nodeName": "node-1",
        "pool": {"name": "node-1", "generation": 1, "resourceSliceCount": 1},
        "devices": [{"name": "gpu-0", "attributes": {"productName": {"string": "NVIDIA A100"},
                                                     "driverVersion": {"version": "580.95.5"}},
                     "capacity": {"memory": {"value": "80Gi"}},
                     "taints": [{"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}]}],
    },
}
V1BETA1_DEVICE = {"name": "gpu-0", "basic": {
    "attributes": {"productName": {"string": "NVIDIA A100"}, "driverVersion": {"version": "580.95.5"}},
    "capacity": {"memory": {"value": "80Gi"}},
    "taints": [{"key": "gpu.nvidia.com/xid", "value": "79", "effect": "NoSchedule"}]}}


def test_a_v1_device_nests_under_basic_in_v1beta1_and_back() -> None:
    beta = copy.deepcopy(V1_SLICE)
    resource_conversion.to_v1beta1(RESOURCESLICE, beta)
    assert beta["spec"]["devices"] == [V1BETA1_DEVICE]
    assert beta["spec"]["nodeName"] == "node-1" and beta["spec"]["driver"] == "gpu.nvidia.com"
    resource_conversion.to_v1(RESOURCESLICE, beta)
    assert beta == V1_SLICE


def test_v1beta1_devices_without_basic_and_empty_node_fields() -> None:
    beta = {"spec": {"nodeName": "", "allNodes": True, "devices": [{"name": "d", "attributes": {"x": {"int": 1}}}]}}
    resource_conversion.to_v1(RESOURCESLICE, beta)
    assert beta == {"spec": {"allNodes": True, "devices": [{"name": "d"}]}}  # a v1beta1 device has no flat fields
    out = {"spec": {"allNodes": False, "devices": [{"name": "d"}]}}
    resource_conversion.to_v1beta1(RESOURCESLICE, out)
    assert out == {"spec": {"devices": [{"name": "d", "basic": {}}]}}


def claim(requests: list[dict[str, Any]]) -> dict[str, Any]:
    return {"metadata": {"name": "c", "namespace": "default"}, "spec": {"devices": {"requests": requests}}}


def test_a_v1beta1_request_moves_into_exactly_and_back() -> None:
    beta = claim([{"name": "gpu", "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 2,
                   "selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}])
    original = copy.deepcopy(beta)
    resource_conversion.to_v1(RESOURCECLAIM, beta)
    assert beta["spec"]["devices"]["requests"] == [{"name": "gpu", "exactly": {
        "deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 2,
        "selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}]}}]
    resource_conversion.to_v1beta1(RESOURCECLAIM, beta)
    assert beta == original


def test_only_set_main_fields_make_exactly_and_first_available_stays() -> None:
    empty = claim([{"name": "a", "deviceClassName": "", "count": 0}])
    resource_conversion.to_v1(RESOURCECLAIM, empty)
    assert empty["spec"]["devices"]["requests"] == [{"name": "a"}]  # then validation asks for exactly
    selectors_only = claim([{"name": "a", "selectors": []}])
    resource_conversion.to_v1(RESOURCECLAIM, selectors_only)
    assert selectors_only["spec"]["devices"]["requests"] == [{"name": "a", "exactly": {"selectors": []}}]
    first = claim([{"name": "a", "firstAvailable": [{"name": "big", "deviceClassName": "gpu.nvidia.com"}]}])
    before = copy.deepcopy(first)
    resource_conversion.to_v1(RESOURCECLAIM, first)
    assert first == before


def test_a_template_converts_its_claim_spec() -> None:
    template = {"spec": {"spec": {"devices": {"requests": [{"name": "gpu", "exactly": {"deviceClassName": "g"}}]}}}}
    resource_conversion.to_v1beta1(RESOURCECLAIMTEMPLATE, template)
    assert template["spec"]["spec"]["devices"]["requests"] == [{"name": "gpu", "deviceClassName": "g"}]


def test_defaults_count_one_exact_device_and_canonical_capacity() -> None:
    new = claim([{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com",
                                              "tolerations": [{"key": "k", "effect": "NoSchedule"}]}},
                 {"name": "all", "exactly": {"deviceClassName": "gpu.nvidia.com", "allocationMode": "All"}}])
    new["status"] = {"allocation": {}}  # a client cannot create a claim allocated
    resource_defaults.apply(RESOURCECLAIM, new, creating=True)
    assert "status" not in new
    gpu, every = (r["exactly"] for r in new["spec"]["devices"]["requests"])
    assert gpu["allocationMode"] == "ExactCount" and gpu["count"] == 1
    assert gpu["tolerations"][0]["operator"] == "Equal"
    assert "count" not in every
    published = copy.deepcopy(V1_SLICE)
    published["spec"]["devices"][0]["capacity"]["memory"]["value"] = "81920Mi"
    resource_defaults.apply(RESOURCESLICE, published, creating=False)
    device = published["spec"]["devices"][0]
    assert device["capacity"]["memory"]["value"] == "80Gi" and device["taints"][0]["timeAdded"]


def messages(causes: list[tuple[str, str, str]]) -> list[str]:
    return [f"{field}: {message}" for _, field, message in causes]


def test_validation_words_slice_errors_as_the_apiserver() -> None:
    bad = {"spec": {"driver": "GPU_nvidia", "pool": {"name": "", "resourceSliceCount": 0},
                    "devices": [{"name": "GPU0", "attributes": {"driverVersion": {"version": "580.95"}}}]}}
    found = messages(validation_resource.causes(RESOURCESLICE, bad))
    assert found[0].startswith('spec.driver: Invalid value: "GPU_nvidia": a lowercase RFC 1123 subdomain')
    assert "spec.pool.name: Required value" in found
    assert "spec.pool.resourceSliceCount: Invalid value: 0: must be greater than zero" in found
    assert ("spec: Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` "
            "is required") in found
    assert any(m.startswith('spec.devices[0].name: Invalid value: "GPU0": a lowercase RFC 1123 label') for m in found)
    assert ('spec.devices[0].attributes[driverVersion].version: Invalid value: "580.95": must be a string compatible '
            "with semver.org spec 2.0.0") in found
    assert validation_resource.causes(RESOURCESLICE, copy.deepcopy(V1_SLICE)) == []


def test_validation_needs_exactly_or_first_available_and_a_class() -> None:
    found = messages(validation_resource.causes(RESOURCECLAIM, claim([
        {"name": "a"}, {"name": "b", "exactly": {"allocationMode": "ExactCount", "count": 1}},
        {"name": "c", "exactly": {"deviceClassName": "g", "allocationMode": "Some"}}])))
    assert found == [
        "spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required",
        "spec.devices.requests[1].exactly.deviceClassName: Required value",
        'spec.devices.requests[2].exactly.allocationMode: Unsupported value: "Some": supported values: "All", '
        '"ExactCount"',
    ]


def test_a_claim_spec_is_immutable() -> None:
    old = claim([{"name": "gpu", "exactly": {"deviceClassName": "a"}}])
    new = claim([{"name": "gpu", "exactly": {"deviceClassName": "b"}}])
    (cause,) = validation_resource.update_causes(RESOURCECLAIM, old, new)
    assert cause[1] == "spec" and cause[2].endswith(": field is immutable")
    assert validation_resource.update_causes(RESOURCECLAIM, old, copy.deepcopy(old)) == []


@pytest.mark.parametrize(
    ("status", "deleting", "state"),
    [({}, False, "pending"), ({"allocation": {"devices": {"results": []}}}, False, "allocated"),
     ({"allocation": {}, "reservedFor": [{"resource": "pods", "name": "p", "uid": "u"}]}, False,
      "allocated,reserved"),
     ({}, True, "deleted"), ({"allocation": {}}, True, "deleted,allocated")],
)
def test_claim_state_as_printers_go(status: dict[str, Any], deleting: bool, state: str) -> None:
    meta: dict[str, Any] = {"name": "c", **({"deletionTimestamp": "2026-01-01T00:00:00Z"} if deleting else {})}
    assert claim_state({"metadata": meta, "status": status}) == state


def test_slice_row_shows_node_driver_and_pool() -> None:
    row = slice_row({**V1_SLICE, "metadata": {"name": "s", "creationTimestamp": "2026-01-01T00:00:00Z"}})
    assert row[:4] == ["s", "node-1", "gpu.nvidia.com", "node-1"]


def test_a_container_must_name_one_of_the_pods_claims() -> None:
    spec = {"resourceClaims": [{"name": "gpu", "resourceClaimTemplateName": "one-gpu"}],
            "containers": [{"name": "cuda", "resources": {"claims": [{"name": "gpu"}, {"name": "gpus"}]}}],
            "initContainers": [{"name": "init", "resources": {"claims": [{"name": "gpu"}, {"name": "gpu"}]}}]}
    assert messages(validation_resource.pod_claims("spec", spec)) == [
        'spec.initContainers[0].resources.claims[1]: Duplicate value: "gpu"',
        'spec.containers[0].resources.claims[1]: Not found: "gpus": must be one of the names in '
        "pod.spec.resourceClaims: gpu",
    ]
    alone = {"containers": [{"name": "cuda", "resources": {"claims": [{"name": "gpu"}]}}]}
    assert messages(validation_resource.pod_claims("spec.template.spec", alone)) == [
        'spec.template.spec.containers[0].resources.claims[0]: Not found: "gpu": must be one of the names in '
        "pod.spec.resourceClaims which is empty"]


def test_a_device_class_selector_needs_its_cel() -> None:
    device_class = {"spec": {"selectors": [{"cel": {"expression": "device.driver == 'gpu.nvidia.com'"}}, {}]}}
    assert messages(validation_resource.causes(DEVICECLASS, device_class)) == ["spec.selectors[1].cel: Required value"]
