"""Label and field selectors accept what the apiserver accepts and refuse the rest in its wording."""

from __future__ import annotations

import pytest
from gpusim.errors import ApiError
from gpusim.selectors import label_selector_matches, parse_field_selector, parse_label_selector


def obj(**labels: str) -> dict[str, object]:
    return {"metadata": {"name": "p", "namespace": "ns", "labels": labels},
            "spec": {"nodeName": "k8s-node05"}, "status": {"phase": "Running"}}


@pytest.mark.parametrize(("selector", "labels", "expected"), [
    ("name=nvidia-device-plugin-ds", {"name": "nvidia-device-plugin-ds"}, True),
    ("name==nvidia-device-plugin-ds", {"name": "other"}, False),
    ("app!=gfd", {"app": "plugin"}, True),
    ("app!=gfd", {}, True),
    ("tier in (a, b)", {"tier": "b"}, True),
    ("tier notin (a,b)", {"tier": "b"}, False),
    ("tier notin (a,b)", {}, True),
    ("nvidia.com/gpu.present", {"nvidia.com/gpu.present": "true"}, True),
    ("!nvidia.com/gpu.present", {"nvidia.com/gpu.present": "true"}, False),
    ("a=1,b in (2,3),!c", {"a": "1", "b": "3"}, True),
    ("count>1", {"count": "2"}, True),
])
def test_label_selector_operators(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_label_selector(selector)(obj(**labels)) is expected


@pytest.mark.parametrize("selector", ["a in ()", "=x", "a=b c", "!a in (b)"])
def test_malformed_label_selectors_are_bad_requests(selector: str) -> None:
    with pytest.raises(ApiError) as err:
        parse_label_selector(selector)
    assert err.value.code == 400 and err.value.reason == "BadRequest"


def test_field_selectors_on_pods() -> None:
    match = parse_field_selector("spec.nodeName=k8s-node05,status.phase!=Succeeded", "pods")
    assert match(obj())
    assert not parse_field_selector("metadata.namespace==other", "pods")(obj())


def test_unsupported_field_is_refused_like_the_apiserver() -> None:
    with pytest.raises(ApiError, match=r"^field label not supported: spec\.nodeName$"):
        parse_field_selector("spec.nodeName=x", "configmaps")


def test_match_expressions() -> None:
    selector = {"matchLabels": {"app": "x"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a"]},
                                     {"key": "gone", "operator": "DoesNotExist"}]}
    assert label_selector_matches(selector, {"app": "x", "tier": "a"})
    assert not label_selector_matches(selector, {"app": "x", "tier": "a", "gone": "1"})
