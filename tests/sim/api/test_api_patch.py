"""Patch logic: JSON merge, JSON patch and strategic merge as Kubernetes applies them."""

from __future__ import annotations

import json

import pytest
from gpusim.api.patch import JSON_PATCH, MERGE, STRATEGIC, apply_patch
from gpusim.errors import ApiError

POD = {
    "metadata": {"name": "p", "labels": {"a": "1", "b": "2"}, "finalizers": ["x"]},
    "spec": {
        "containers": [
            {
                "name": "main",
                "image": "img:1",
                "env": [{"name": "A", "value": "1"}],
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
            },
            {"name": "side", "image": "side:1"},
        ],
        "tolerations": [{"key": "t1", "operator": "Exists"}],
    },
}


def strategic(patch: object) -> dict[str, object]:
    return apply_patch(POD, STRATEGIC, json.dumps(patch).encode())


def test_strategic_merges_containers_by_name_and_keeps_others() -> None:
    out = strategic(
        {"spec": {"containers": [{"name": "main", "image": "img:2", "env": [{"name": "B", "value": "2"}]}]}}
    )
    main, side = out["spec"]["containers"]  # type: ignore[index]
    assert main["image"] == "img:2" and main["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "2"},
    ]
    assert main["ports"] == [{"containerPort": 80, "protocol": "TCP"}] and side == {
        "name": "side",
        "image": "side:1",
    }
    assert POD["spec"]["containers"][0]["image"] == "img:1"  # type: ignore[index]


def test_strategic_replaces_lists_without_merge_key_and_deletes_with_directives() -> None:
    out = strategic(
        {
            "spec": {
                "tolerations": [{"key": "t2", "operator": "Exists"}],
                "containers": [{"name": "side", "$patch": "delete"}],
            },
            "metadata": {"labels": {"a": None}, "finalizers": ["y"]},
        }
    )
    assert out["spec"]["tolerations"] == [{"key": "t2", "operator": "Exists"}]  # type: ignore[index]
    assert [c["name"] for c in out["spec"]["containers"]] == ["main"]  # type: ignore[index]
    assert out["metadata"] == {"name": "p", "labels": {"b": "2"}, "finalizers": ["x", "y"]}


def test_strategic_replace_retain_keys_and_primitive_list_deletion() -> None:
    out = strategic(
        {
            "metadata": {
                "labels": {"$patch": "replace", "c": "3"},
                "$deleteFromPrimitiveList/finalizers": ["x"],
            },
            "spec": {"$retainKeys": ["containers"]},
        }
    )
    assert out["metadata"] == {"name": "p", "labels": {"c": "3"}, "finalizers": []}
    assert set(out["spec"]) == {"containers"}  # type: ignore[arg-type]


def test_json_merge_patch_replaces_lists_and_removes_nulls() -> None:
    out = apply_patch(
        POD, MERGE, b'{"spec": {"containers": [{"name": "only"}]}, "metadata": {"labels": null}}'
    )
    assert out["spec"]["containers"] == [{"name": "only"}] and "labels" not in out["metadata"]


def test_json_patch_operations_and_failed_test() -> None:
    ops = [
        {"op": "add", "path": "/metadata/labels/c", "value": "3"},
        {"op": "replace", "path": "/spec/containers/0/image", "value": "img:9"},
        {"op": "remove", "path": "/spec/containers/1"},
        {"op": "add", "path": "/spec/tolerations/-", "value": {"key": "t3"}},
        {"op": "test", "path": "/metadata/name", "value": "p"},
    ]
    out = apply_patch(POD, JSON_PATCH, json.dumps(ops).encode())
    assert out["metadata"]["labels"] == {"a": "1", "b": "2", "c": "3"}
    assert [c["image"] for c in out["spec"]["containers"]] == ["img:9"]
    assert out["spec"]["tolerations"][-1] == {"key": "t3"}
    with pytest.raises(ApiError) as failed:
        apply_patch(POD, JSON_PATCH, b'[{"op": "test", "path": "/metadata/name", "value": "q"}]')
    assert failed.value.code == 422


def test_server_side_apply_is_unsupported_media_type() -> None:
    with pytest.raises(ApiError) as refused:
        apply_patch(POD, "application/apply-patch+yaml", b"{}")
    assert refused.value.code == 415 and refused.value.reason == "UnsupportedMediaType"
