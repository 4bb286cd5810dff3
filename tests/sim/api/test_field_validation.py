"""fieldValidation against every kind's schema, in the apiserver's words for creates, patches and applies."""

from __future__ import annotations

from typing import Any

import pytest
from gpusim.api.field_validation import check_applied, check_body, check_patched, unknown_fields
from gpusim.errors import ApiError
from gpusim.resources import POD, RESOURCESLICE

POD_BODY: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labelz": {"a": "b"}},
    "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"nvidia.com/gpu": 1}}},
                            {"name": "d", "image": "i", "imagePullPolicy": "Always", "foo": True}]},
}


def test_unknown_fields_are_found_at_any_depth_in_body_order_and_free_maps_are_free() -> None:
    assert unknown_fields(POD, "v1", POD_BODY) == ["metadata.labelz", "spec.containers[1].foo"]


def test_strict_refuses_a_body_with_transform_decode_errors_wording() -> None:
    with pytest.raises(ApiError) as refused:
        check_body(POD, "v1", POD_BODY, "Strict")
    assert (refused.value.code, refused.value.reason) == (400, "BadRequest")
    assert refused.value.message == ('Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
                                     'unknown field "metadata.labelz", unknown field "spec.containers[1].foo"')


def test_warn_warns_per_field_and_ignore_says_nothing() -> None:
    assert check_body(POD, "v1", POD_BODY, "Warn") == ['unknown field "metadata.labelz"',
                                                       'unknown field "spec.containers[1].foo"']
    assert check_body(POD, "v1", POD_BODY, "Ignore") == []
    assert check_body(POD, "v1", {"metadata": {"name": "p"}}, "Strict") == []


def test_a_patched_object_is_refused_without_the_kind_prefix() -> None:
    with pytest.raises(ApiError) as refused:
        check_patched(POD, "v1", {"spec": {"nodeNme": "n"}}, "Strict")
    assert refused.value.message == 'strict decoding error: unknown field "spec.nodeNme"'


def test_an_apply_patch_with_an_unknown_field_cannot_be_typed() -> None:
    with pytest.raises(ApiError) as refused:
        check_applied(POD, "v1", {"spec": {"nodeNme": "n"}}, "default", "p")
    assert refused.value.code == 500
    assert refused.value.message == ("failed to create typed patch object (default/p; /v1, Kind=Pod): "
                                     ".spec.nodeNme: field not declared in schema")


def test_each_resource_version_is_read_against_its_own_schema() -> None:
    device = {"spec": {"devices": [{"name": "gpu-0", "basic": {"attributes": {}}}]}}
    assert unknown_fields(RESOURCESLICE, "v1beta1", device) == []
    assert unknown_fields(RESOURCESLICE, "v1", device) == ["spec.devices[0].basic"]
