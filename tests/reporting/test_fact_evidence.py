"""The report's evidence for the tutorial's facts: each attachment is the fact's fields as JSON, nested facts too."""

from __future__ import annotations

import json

from gpu_conformance.reporting.evidence import JSON, evidence
from tests.requirements.builders import NODE, gpu_node, plugin, plugin_pod


def test_the_plugin_daemonsets_are_their_fields() -> None:
    found = evidence(plugin(plugin_pod()), NODE)
    assert found is not None
    daemonsets = found.attachments[0]
    assert (daemonsets.name, daemonsets.mime) == ("plugin DaemonSets (JSON)", JSON)
    assert json.loads(daemonsets.body) == [{
        "namespace": "kube-system", "name": "nvidia-device-plugin-daemonset", "desired": 2, "ready": 2,
        "image": "nvcr.io/nvidia/k8s-device-plugin:v0.14.3", "node_selector": [], "affinity_terms": [],
        "device_list_strategy": [], "device_id_strategy": None, "runtime_class": None}]


def test_a_node_is_its_fields_with_nested_facts_as_objects() -> None:
    found = evidence(gpu_node(gpus=8), NODE)
    assert found is not None
    shown = json.loads(found.attachments[0].body)
    assert (shown["name"], shown["capacity"]["nvidia.com/gpu"], shown["taints"]) == (NODE, 8, [])
    assert shown["readiness"] == {"status": "True", "reason": "KubeletReady", "message": "", "since": "",
                                  "heartbeat": ""}
