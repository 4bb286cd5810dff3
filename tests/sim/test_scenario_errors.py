"""Scenario mistakes: each gives one exact line naming the file, the line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from gpusim.scenario import ScenarioError, bundled_names, load, loads

from tests.sim.scenario_text import TWO_NODES

CATALOGUE = [
    (
        TWO_NODES.replace("count: 1", 'count: "two"'),
        'bad.yaml:5: nodes[0].gpus.count: expected a positive integer, got "two"',
    ),
    (
        TWO_NODES.replace("  - name: a\n", "  - name: a\n    lables: {x: y}\n"),
        'bad.yaml:4: nodes[0].lables: unknown field (did you mean "labels"?)',
    ),
    ("name: t\nnodez: []\n", 'bad.yaml:2: nodez: unknown field (did you mean "nodes"?)'),
    (
        TWO_NODES + "    devicePlugin: crashloo\n",
        "bad.yaml:7: nodes[0].devicePlugin: expected one of auto, ready, crashloop, no_devices; "
        'got "crashloo" (did you mean "crashloop"?)',
    ),
    (
        TWO_NODES + "  - name: a\n",
        'bad.yaml:7: nodes[1].name: duplicate node name "a" (also nodes[0].name, line 3)',
    ),
    (
        TWO_NODES + "    internalIP: 10.0.0.5\n",
        "bad.yaml:7: nodes[0].internalIP: 10.0.0.5 must be in 127.0.0.0/8: "
        "the simulation only uses loopback addresses",
    ),
    (
        TWO_NODES + "    internalIP: 127.0.0.9\n",
        "bad.yaml:7: nodes[0].internalIP: 127.0.0.9 is in 127.0.0.0/24, which the API server uses; "
        "pick one from 127.0.1.1 up",
    ),
    (
        "name: t\nkubernetes:\n  version: 1.28\nnodes: [{name: a}]\n",
        'bad.yaml:3: kubernetes.version: expected a version like "v1.28.3" or a mapping with gitVersion '
        "(and major, minor, platform), got 1.28",
    ),
    (
        TWO_NODES + "    host:\n      driver: 535.abc\n",
        'bad.yaml:8: nodes[0].host.driver: expected a driver version like "535.104.05", '
        'or null for no driver, got "535.abc"',
    ),
    (
        TWO_NODES + '    taints: ["k=v:NoSchedul"]\n',
        'bad.yaml:7: nodes[0].taints[0]: bad taint effect "NoSchedul": expected one of NoSchedule, '
        "PreferNoSchedule, NoExecute",
    ),
    (
        TWO_NODES + "    taints:\n      - {key: k, effect: Never}\n",
        'bad.yaml:8: nodes[0].taints[0].effect: bad taint effect "Never": expected one of NoSchedule, '
        "PreferNoSchedule, NoExecute",
    ),
    (
        "name: t\nnodes:\n  - name: a\n   bad: [\n",
        "bad.yaml:4: invalid YAML: while parsing a block collection expected <block end>, "
        "but found '<block mapping start>'",
    ),
    (
        TWO_NODES + "    containerRuntime: podman://4.0.0\n",
        'bad.yaml:7: nodes[0].containerRuntime: expected a runtime version like "containerd://1.7.2" '
        '(containerd, docker, cri-o), got "podman://4.0.0"',
    ),
    (
        TWO_NODES + "    labels:\n      gpu-node: true\n",
        "bad.yaml:8: nodes[0].labels.gpu-node: expected a string, got true; "
        'quote it ("true") to mean the text',
    ),
    ("name: t\n", "bad.yaml:1: nodes: required field is missing"),
    ("", "bad.yaml:1: (document): expected a mapping of scenario fields, got an empty file"),
    (
        TWO_NODES + "    host:\n      runtime:\n        handlers: [foo]\n",
        'bad.yaml:9: nodes[0].host.runtime: default runtime "nvidia" is not defined; '
        "defined: runc, crun, foo",
    ),
    (
        "name: t\nnodes:\n  - name: gpu\n    count: 3\n",
        'bad.yaml:3: nodes[0].name: "gpu" gives the same name to all 3 copies; put {index} in it, '
        'e.g. "gpu-{index:04d}"',
    ),
    (
        "name: t\nnodes:\n  - name: gpu-{idx}\n    count: 3\n",
        "bad.yaml:3: nodes[0].name: unknown placeholder {idx}; only {index} is allowed",
    ),
    (
        "name: t\nnodes:\n  - name: Node_1\n",
        'bad.yaml:3: nodes[0].name: invalid node name "Node_1": a lowercase RFC 1123 subdomain must consist '
        "of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
        "character",
    ),
    (
        "name: t\nnodes:\n  - name: a\n    host: {driver: '535.1'}\n",
        "bad.yaml:4: nodes[0].host: host describes NVIDIA hardware; this node has no gpus",
    ),
    (
        "name: t\napiFaults: {throttleRatio: 1.5}\nnodes: [{name: a}]\n",
        "bad.yaml:2: apiFaults.throttleRatio: expected a number from 0 to 1, got 1.5",
    ),
    (
        "name: t\ndefaults:\n  internalIP: 127.0.1.9\nnodes: [{name: a}]\n",
        "bad.yaml:3: defaults.internalIP: unknown field (known fields: roles, labels, taints, unschedulable, "
        "ready, kubeletVersion, containerRuntime, osImage, kernelVersion, architecture, cpu, memory, pods, "
        "gpus, host, devicePlugin, exporter, sharing, unhealthyGpus, unhealthyXid, workloads, "
        "kubeletStopsAfterSeconds, dra, hardware)",
    ),
    (
        "name: t\nnodes:\n  - name: a\n    gpus: {count: 2, model: Tesla T4}\n    unhealthyGpus: [1]\n"
        "    unhealthyXid: 13\n",
        "bad.yaml:6: nodes[0].unhealthyXid: Xid 13 is an application error the device plugin skips "
        "(internal/rm/health.go skippedXids 13, 31, 43, 45, 68, 109): no GPU turns unhealthy on it",
    ),
    (
        "name: t\nnodes:\n  - name: a\n    gpus: {count: 2, model: Tesla T4}\n    unhealthyXid: 48\n",
        "bad.yaml:5: nodes[0].unhealthyXid: unhealthyXid needs unhealthyGpus: the GPUs that reported it",
    ),
    (
        TWO_NODES + "    host:\n      toolkit: {version: '1.14'}\n",
        'bad.yaml:8: nodes[0].host.toolkit.version: expected a toolkit version like "1.14.3", got "1.14"',
    ),
    (
        TWO_NODES + "    containerRuntime: docker://24.0.7\n    host:\n      runtime: {configVersion: 2}\n",
        "bad.yaml:9: nodes[0].host.runtime.configVersion: configVersion applies to containerd only; "
        "this node runs docker",
    ),
    (TWO_NODES + "    name: b\n", "bad.yaml:7: nodes[0].name: duplicate field (first given on line 3)"),
    (
        TWO_NODES + "    exporter: {queryFieldNames: 'uuid,temperature.gpus'}\n",
        'bad.yaml:7: nodes[0].exporter.queryFieldNames: "temperature.gpus" is not a valid field to query '
        "(nvidia-smi --help-query-gpu lists them)",
    ),
    (
        TWO_NODES + "    exporter: {kind: dcgm-exporter, queryFieldNames: uuid}\n",
        "bad.yaml:7: nodes[0].exporter.queryFieldNames: --query-field-names is nvidia_gpu_exporter's flag, "
        "not dcgm-exporter's",
    ),
    (
        TWO_NODES.replace("count: 1", "count: 2\n      uuids: [GPU-0]"),
        "bad.yaml:6: nodes[0].gpus.uuids: expected 2 UUIDs (one per GPU, as count says), got 1",
    ),
]


@pytest.mark.parametrize(("text", "message"), CATALOGUE)
def test_mistakes_give_one_exact_line(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        loads(text, "bad.yaml")
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


def test_errors_in_a_file_name_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(TWO_NODES.replace("Tesla T4", "Tesla T4\n      memoryMiB: -1"))
    with pytest.raises(ScenarioError) as caught:
        load(str(path))
    assert str(caught.value) == f"{path}:7: nodes[0].gpus.memoryMiB: expected a positive integer, got -1"


def test_errors_from_a_base_name_the_base_file(tmp_path: Path) -> None:
    (tmp_path / "parent.yaml").write_text("name: parent\nnodes:\n  - name: a\n    ready: maybe\n")
    (tmp_path / "child.yaml").write_text("name: child\nbase: parent.yaml\n")
    with pytest.raises(ScenarioError) as caught:
        load(str(tmp_path / "child.yaml"))
    assert (
        str(caught.value)
        == f'{tmp_path / "parent.yaml"}:4: nodes[0].ready: expected true or false, got "maybe"'
    )


def test_a_base_cycle_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: a\nbase: b.yaml\n")
    (tmp_path / "b.yaml").write_text("name: b\nbase: a.yaml\n")
    with pytest.raises(
        ScenarioError, match=r"b\.yaml:2: base: base cycle: .*a\.yaml -> .*b\.yaml -> .*a\.yaml$"
    ):
        load(str(tmp_path / "a.yaml"))


def test_unknown_names_and_missing_files_list_the_bundle() -> None:
    with pytest.raises(ScenarioError) as caught:
        load("sed")
    message = str(caught.value)
    assert message.startswith(
        'unknown scenario "sed" (did you mean "seed"?) (bundled scenarios: api-errors, '
    )
    assert "\n" not in message and message.endswith(f"{bundled_names()[-1]})")
    with pytest.raises(
        ScenarioError, match=r"^scenario file not found: nowhere/x\.yaml \(bundled scenarios: "
    ):
        load("nowhere/x.yaml")
