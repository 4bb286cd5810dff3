"""Scenario fields for what issue 12 needs: sharing, unhealthy GPUs, workloads, a kubelet that stops,
an answer on the exporter's port, nvidia-docker2 without the toolkit; each mistake is one line."""

from __future__ import annotations

import pytest
from gpusim.model import ExporterAnswer, GpuSharing, Workload
from gpusim.scenario import ScenarioError, load, loads

NODE = """\
name: t
devicePlugin: {{version: {plugin}}}
nodes:
  - name: a
    gpus: {{count: 2, model: Tesla T4}}
{extra}"""


def node_with(extra: str, plugin: str = "v0.17.0") -> str:
    return NODE.format(plugin=plugin, extra="".join(f"    {line}\n" for line in extra.splitlines()))


def test_the_new_fields_load() -> None:
    scenario = loads(node_with(
        "sharing: {timeSlicing: {renameByDefault: true, resources: [{name: nvidia.com/gpu, replicas: 4}]}}\n"
        "unhealthyGpus: [1]\n"
        "workloads: [{name: train, namespace: ml, gpus: 4}]\n"
        "kubeletStopsAfterSeconds: 2.5\n"
        "exporter: {answer: {body: '<html></html>', path: /metrics, status: 401}}"))
    node = scenario.node("a")
    assert node.sharing == GpuSharing("time-slicing", 4, rename_by_default=True)
    assert node.sharing.resource == "nvidia.com/gpu.shared"
    assert node.unhealthy_gpus == (1,)
    assert node.workloads == (Workload("train", "ml", 4),)
    assert node.kubelet_stops_after == 2.5
    assert node.exporter.answer == ExporterAnswer("<html></html>", status=401, path="/metrics")


def test_node_monitor_grace_period_defaults_to_kubernetes_default() -> None:
    assert load("seed").node_monitor_grace_seconds == 40.0
    assert load("node-not-ready-later").node_monitor_grace_seconds == 4.0


@pytest.mark.parametrize(("extra", "plugin", "message"), [
    ("sharing: {timeSlicing: {resources: [{name: nvidia.com/gpu, replicas: 1}]}}", "v0.17.0",
     "bad.yaml:6: nodes[0].sharing.timeSlicing.resources[0].replicas: expected an integer >= 2, got 1"),
    ("sharing: {timeSlicing: {resources: []}, mps: {resources: []}}", "v0.17.0",
     "bad.yaml:6: nodes[0].sharing: expected exactly one of timeSlicing, mps"),
    ("sharing: {mps: {resources: [{name: nvidia.com/gpu, replicas: 2}]}}", "v0.14.3",
     "bad.yaml:2: devicePlugin: node a uses mps sharing, which the device plugin has from v0.15.0 on; "
     "devicePlugin.version is v0.14.3"),
    ("unhealthyGpus: [2]", "v0.17.0",
     "bad.yaml:6: nodes[0].unhealthyGpus[0]: expected an integer from 0 to 1, got 2"),
    ("workloads: [{name: w, gpus: 3}]", "v0.17.0",
     "bad.yaml:6: nodes[0].workloads: the workloads hold 3 GPUs but the node has 2 allocatable: "
     "the rest would be Pending, not running"),
    ("ready: false\nkubeletStopsAfterSeconds: 3", "v0.17.0",
     "bad.yaml:7: nodes[0].kubeletStopsAfterSeconds: this node is not ready from the start (ready: false); "
     "its kubelet cannot stop later"),
    ("exporter: {health: down, answer: {body: x}}", "v0.17.0",
     "bad.yaml:6: nodes[0].exporter.answer: an answer needs a listener on the port; "
     "kind nvidia_gpu_exporter with health down has none"),
    ("host: {toolkit: {nvidiaDocker2: 2.14.0}}", "v0.17.0",
     "bad.yaml:6: nodes[0].host.toolkit.nvidiaDocker2: nvidia-docker2 2.14.0 without nvidia-container-toolkit: "
     "only 2.0.x and 2.1.x came without it (2.2.0 and later depend on it; give toolkit.version too)"),
])
def test_mistakes_give_one_line(extra: str, plugin: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads(node_with(extra, plugin), "bad.yaml")
    assert str(caught.value) == message


def test_a_node_without_gpus_cannot_hold_any() -> None:
    with pytest.raises(ScenarioError, match="workloads needs GPUs; this node has no gpus"):
        loads("name: t\nnodes:\n  - name: a\n    workloads: [{name: w, gpus: 1}]\n")


def test_labels_null_removes_inherited_labels() -> None:
    assert load("gpu-node-unlabelled").node("k8s-node06").labels == ()


def test_the_kubelet_stopping_later_is_one_node_and_the_grace_period() -> None:
    seed, later = load("seed"), load("node-not-ready-later")
    changed = [n.name for n, m in zip(seed.nodes, later.nodes, strict=True) if n != m]
    assert changed == ["k8s-node06"] and later.node("k8s-node06").kubelet_stops_after == 3.0
