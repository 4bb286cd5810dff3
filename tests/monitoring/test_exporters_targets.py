"""Where each node's exporter is: the URL template, node addresses, and exporter pods (official client models)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from kubernetes.client import V1ObjectMeta, V1Pod, V1PodSpec, V1PodStatus

from gpu_conformance.monitoring.addresses import exporter_url
from gpu_conformance.monitoring.exporters.targets import node_targets, pod_targets
from tests.requirements.builders import gpu_node

SELECTOR = "app=nvidia-dcgm-exporter"
TEMPLATE = "http://{ip}:9400/metrics"


def pod(name: str, node: str, ip: str | None, phase: str = "Running") -> V1Pod:
    return V1Pod(metadata=V1ObjectMeta(name=name, namespace="gpu-operator"), spec=V1PodSpec(containers=[],
                 node_name=node), status=V1PodStatus(phase=phase, pod_ip=ip))


def test_the_template_takes_ip_and_node() -> None:
    assert exporter_url("http://{ip}:9835/metrics", "10.0.0.5", "n1") == "http://10.0.0.5:9835/metrics"
    assert exporter_url("https://{node}.gpu.example:9400/metrics", "10.0.0.5", "n1") == \
        "https://n1.gpu.example:9400/metrics"
    assert exporter_url("http://{ip}:9835/metrics", "fd00::5", "n1") == "http://[fd00::5]:9835/metrics"


@pytest.mark.parametrize("template", ["http://{host}:9835/metrics", "http://{0}:9835/", "http://{ip:9835/"])
def test_a_bad_template_says_what_can_be_filled_in(template: str) -> None:
    with pytest.raises(ValueError, match=r"only \{ip\} and \{node\} can be filled in"):
        exporter_url(template, "10.0.0.5", "n1")


def test_node_addresses() -> None:
    with_ip, without = gpu_node("n1"), replace(gpu_node("n2"), internal_ip=None)
    first, second = node_targets([with_ip, without], "http://{ip}:9835/metrics")
    assert (first.url, first.source) == ("http://127.0.10.5:9835/metrics", "node n1 InternalIP 127.0.10.5")
    assert (second.url, second.unavailable) == (None, "the node has no InternalIP address")
    bad = node_targets([with_ip], "http://{nope}/")[0]
    assert bad.url is None and bad.unavailable is not None and "{nope}" in bad.unavailable


def test_exporter_pods_by_node() -> None:
    nodes = [gpu_node(n) for n in ("n1", "n2", "n3", "n4")]
    pods = [pod("dcgm-old", "n1", None, "Pending"), pod("dcgm-a", "n1", "10.244.1.7"),
            pod("dcgm-b", "n2", None, "Pending"), pod("dcgm-x", "elsewhere", "10.244.9.9"),
            pod("dcgm-d", "n4", "fd00::7")]
    n1, n2, n3, n4 = pod_targets(nodes, TEMPLATE, pods, SELECTOR)
    assert (n1.url, n1.source) == ("http://10.244.1.7:9400/metrics",
                                   f"pod gpu-operator/dcgm-a IP 10.244.1.7 ({SELECTOR})")
    assert (n2.url, n2.missing) == (None, "pod gpu-operator/dcgm-b is Pending without a pod IP")
    assert (n3.url, n3.missing) == (None, f"no pod matching {SELECTOR} on node n3")
    assert n4.url == "http://[fd00::7]:9400/metrics"
    assert all(t.unavailable is None for t in (n1, n2, n3, n4))
