"""How a pod asks for a GPU through DRA (gpu_request.py): the template's request in each served version's shape,
the pod's claim and the container's use of it (FACTS.md, DRA: v1/v1beta2 ``exactly``, v1beta1 flat)."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.dra import read_device
from gpu_conformance.gpu_request import (
    claim_template,
    claim_template_spec,
    container_claims,
    device_class_for,
    pod_claims,
)

from .builders import NODE, RTX_4090
from .dra_builders import gpu_device, mig_device

ONE_GPU = {"deviceClassName": "gpu.nvidia.com", "allocationMode": "ExactCount", "count": 1}


@pytest.mark.parametrize("version", ["v1", "v1beta2"])
def test_v1_and_v1beta2_put_the_class_under_exactly(version: str) -> None:
    assert claim_template_spec(version) == {"devices": {"requests": [{"name": "gpu", "exactly": ONE_GPU}]}}


def test_v1beta1_puts_the_class_in_the_request() -> None:
    assert claim_template_spec("v1beta1") == {"devices": {"requests": [{"name": "gpu", **ONE_GPU}]}}


def test_the_template_passes_its_labels_to_its_claims() -> None:
    labels = {"app.kubernetes.io/managed-by": "gpu-conformance"}
    template = claim_template("v1beta1", "t", "ns", labels)
    assert (template["apiVersion"], template["metadata"]["labels"], template["spec"]["metadata"]["labels"]) == (
        "resource.k8s.io/v1beta1", labels, labels)


def test_the_pod_and_its_container_name_the_claim_gpu() -> None:
    assert pod_claims("t") == [{"name": "gpu", "resourceClaimTemplateName": "t"}]
    assert container_claims() == {"claims": [{"name": "gpu"}]}


def test_a_node_publishing_mig_devices_only_asks_the_mig_class() -> None:
    gpu = read_device(gpu_device(0, RTX_4090[0].uuid), NODE, "s", NODE)
    mig = read_device(mig_device(RTX_4090[0].uuid), NODE, "s", NODE)
    assert (device_class_for([gpu, mig]), device_class_for([mig]), device_class_for([])) == (
        "gpu.nvidia.com", "mig.nvidia.com", "gpu.nvidia.com")
    assert claim_template("v1", "t", "ns", {}, "mig.nvidia.com")["spec"]["spec"]["devices"]["requests"][0][
        "exactly"]["deviceClassName"] == "mig.nvidia.com"
