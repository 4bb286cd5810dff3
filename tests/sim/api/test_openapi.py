"""/openapi/v2 (JSON and gnostic protobuf) and /openapi/v3: every served kind, parseable, references resolved."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from gpusim.api import openapi
from gpusim.api.messages import Request
from gpusim.api.protobuf.wire import fields
from gpusim.api.served import ServedApis
from gpusim.resources import RESOURCES

SERVED = ServedApis(resource=("v1", "v1beta1"))
PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"


def _get(path: str, accept: str = "application/json") -> tuple[str, bytes]:
    parts = [p for p in path.split("?")[0].split("/") if p]
    reply = openapi.document(SERVED, Request("GET", path, {}, {"accept": accept}, b""), parts[1:])
    assert reply is not None and reply.code == 200, path
    return reply.content_type, reply.payload()


def _refs(doc: Any) -> set[str]:
    return set(re.findall(r'"\$ref": ?"([^"]+)"', json.dumps(doc)))


@pytest.fixture(scope="module")
def v2() -> dict[str, Any]:
    media, body = _get("/openapi/v2")
    assert media == "application/json"
    doc: dict[str, Any] = json.loads(body)
    return doc


def _kinds_of(definitions: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(g["group"], g["version"], g["kind"]) for d in definitions.values()
            for g in d.get("x-kubernetes-group-version-kind", [])}


def test_v2_defines_every_served_kind_with_its_group_version_kind(v2: dict[str, Any]) -> None:
    found = _kinds_of(v2["definitions"])
    assert {(rt.group, rt.version, rt.kind) for rt in RESOURCES} <= found
    assert ("resource.k8s.io", "v1beta1", "ResourceSlice") in found
    assert all(ref.removeprefix("#/definitions/") in v2["definitions"] for ref in _refs(v2))


def test_v2_carries_the_struct_tags_strategic_merge_and_apply_need(v2: dict[str, Any]) -> None:
    spec = v2["definitions"]["io.k8s.api.core.v1.PodSpec"]
    assert spec["required"] == ["containers"]
    containers = spec["properties"]["containers"]
    assert containers["items"] == {"$ref": "#/definitions/io.k8s.api.core.v1.Container"}
    assert (containers["x-kubernetes-patch-merge-key"], containers["x-kubernetes-list-map-keys"]) == ("name", ["name"])
    assert spec["properties"]["tolerations"]["x-kubernetes-list-type"] == "atomic"
    limits = v2["definitions"]["io.k8s.api.core.v1.ResourceRequirements"]["properties"]["limits"]
    assert limits["additionalProperties"] == {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"}
    meta = v2["definitions"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]
    assert meta["finalizers"]["x-kubernetes-list-type"] == "set"
    patch = v2["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert {"in": "query", "name": "fieldValidation", "type": "string", "uniqueItems": True} in patch["parameters"]


def _message(data: bytes) -> dict[int, list[Any]]:
    """A message's fields by number: every occurrence's value, in order."""
    found: dict[int, list[Any]] = {}
    for number, _, value in fields(data):
        found.setdefault(number, []).append(value)
    return found


def test_v2_protobuf_is_the_same_document_in_gnostic_encoding(v2: dict[str, Any]) -> None:
    media, body = _get("/openapi/v2", accept=PROTOBUF)
    assert media == "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"  # Go's mime parser refuses "@"
    document = _message(body)
    assert document[1] == [b"2.0"]
    named_schemas = [_message(entry) for entry in _message(document[9][0])[1]]
    assert [n[1][0].decode() for n in named_schemas] == list(v2["definitions"])
    pod = _message(next(n[2][0] for n in named_schemas if n[1] == [b"io.k8s.api.core.v1.Pod"]))
    extension = _message(pod[31][0])  # vendor_extension: NamedAny{name, Any{yaml}}
    assert extension[1] == [b"x-kubernetes-group-version-kind"]
    assert json.loads(_message(extension[2][0])[2][0]) == [{"group": "", "kind": "Pod", "version": "v1"}]
    paths = [_message(entry)[1][0].decode() for entry in _message(document[8][0])[2]]
    assert paths == list(v2["paths"])


def test_v3_documents_are_per_group_version_and_self_contained() -> None:
    _, index = _get("/openapi/v3")
    urls = {path: entry["serverRelativeURL"] for path, entry in json.loads(index)["paths"].items()}
    assert {"api/v1", "apis/apps/v1", "apis/resource.k8s.io/v1", "apis/resource.k8s.io/v1beta1"} <= set(urls)
    for path, url in urls.items():
        doc = json.loads(_get(url)[1])
        schemas = doc["components"]["schemas"]
        assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in _refs(doc)), path
        group, _, version = path.removeprefix("api").removeprefix("s/").rpartition("/")
        assert {(g, v) for g, v, _ in _kinds_of(schemas)} >= {(group, version)}, path


def test_v3_refers_under_components_describes_fields_and_keeps_each_version_shape() -> None:
    core = json.loads(_get("/openapi/v3/api/v1")[1])["components"]["schemas"]
    assert core["io.k8s.api.core.v1.Pod"]["properties"]["spec"] == {
        "$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}
    assert core["io.k8s.api.core.v1.PodSpec"]["description"] == "PodSpec is a description of a pod."
    assert core["io.k8s.api.core.v1.Container"]["properties"]["image"]["description"].startswith(
        "Container image name.")
    beta = json.loads(_get("/openapi/v3/apis/resource.k8s.io/v1beta1")[1])["components"]["schemas"]
    assert "basic" in beta["io.k8s.api.resource.v1beta1.Device"]["properties"]
    ga = json.loads(_get("/openapi/v3/apis/resource.k8s.io/v1")[1])["components"]["schemas"]
    assert "basic" not in ga["io.k8s.api.resource.v1.Device"]["properties"]


def test_a_property_named_dollar_ref_is_a_property_not_a_reference() -> None:
    """JSONSchemaProps (CustomResourceDefinition's schemas) has fields named ``$ref`` and ``$schema``."""
    doc = json.loads(_get("/openapi/v3/apis/apiextensions.k8s.io/v1")[1])["components"]["schemas"]
    props = doc["io.k8s.api.apiextensions.v1.JSONSchemaProps"]["properties"]
    assert props["$ref"]["type"] == "string"
