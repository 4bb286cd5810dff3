"""``dra-v1beta1``: on 1.32 with resource.k8s.io/v1beta1 turned on, the published slice reads in the beta shape."""

from __future__ import annotations

import json

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.e2e]
SCENARIO = "dra-v1beta1"


def test_devices_nest_under_basic_and_the_class_has_no_extended_resource(dra_cluster: SimCluster) -> None:
    def slices() -> list[dict[str, object]]:
        items: list[dict[str, object]] = json.loads(
            kubectl(dra_cluster, "get", "resourceslices", "-o", "json").stdout)["items"]
        return items

    eventually(lambda: len(slices()) == 2, what="both slices")
    first = slices()[0]
    assert first["apiVersion"] == "resource.k8s.io/v1beta1"
    spec = first["spec"]
    assert isinstance(spec, dict)
    basic = spec["devices"][0]["basic"]
    assert basic["attributes"]["type"] == {"string": "gpu"}
    gpu_class = json.loads(kubectl(dra_cluster, "get", "deviceclass", "gpu.nvidia.com", "-o", "json").stdout)
    assert gpu_class["apiVersion"] == "resource.k8s.io/v1beta1"
    assert "extendedResourceName" not in gpu_class["spec"]
