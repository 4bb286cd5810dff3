"""Scenario files: every bundled one loads; mistakes give one exact line naming file, line and field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gpusim.model import AfterPluginStart
from gpusim.scenario import ScenarioError, bundled_names, load, loads, scaled

from gpu_conformance.cuda import version_tuple

HEALTHY = {
    "seed",
    "docker",
    "containerd-v1",
    "containerd-v3-dropin",
    "crio",
    "k3s",
    "gpu-operator",
    "mig",
    "helm-gfd",
    "eks",
    "open-kernel-module",
    "time-slicing",
    "mps",
    "time-slicing-renamed",
    "nvidia-docker2-only",
    "hardened",
    "runtimeclass-legacy",
    "dra",
    "dra-mig",
    "dra-v1beta1",
    "nvswitch",
    "systemd-cgroup",
}
FAULTS = {
    "driver-too-old",
    "driver-missing",
    "toolkit-too-old",
    "toolkit-missing",
    "runtime-not-default",
    "docker-runtime-not-default",
    "plugin-missing",
    "plugin-crashloop",
    "plugin-no-devices",
    "kubernetes-too-old",
    "image-unreachable",
    "exporter-down",
    "exporter-hanging",
    "exporter-nvidia-smi-failing",
    "exporter-malformed",
    "exporter-wrong-gpu-count",
    "exporter-query-fields",
    "api-slow",
    "api-throttled",
    "api-errors",
    "api-watch-drops",
    "api-unreachable",
    "node-not-ready",
    "node-not-ready-later",
    "gpu-node-unlabelled",
    "exporter-html",
    "gpus-busy",
    "plugin-not-selected",
    "half-hardened",
    "cdi-spec-missing",
    "cdi-spec-stale",
    "shared-gpu",
    "dra-deviceclass-missing",
    "dra-slice-missing-gpu",
    "dra-driver-version-stale",
    "dra-plugin-crashloop",
    "dra-device-unhealthy",
    "dra-device-tainted",
    "dra-claim-unallocatable",
    "dra-nvidia-default-runtime",
    "xid-unhealthy",
    "xid-unhealthy-operator",
    "dcgm-diag-memory-fail",
    "pcie-degraded",
    "nvswitch-no-fabricmanager",
    "cgroup-dev-char-missing",
}

TWO_NODES = """\
name: t
nodes:
  - name: a
    gpus:
      count: 1
      model: Tesla T4
"""


def test_the_bundle_holds_every_named_scenario() -> None:
    assert set(bundled_names()) == HEALTHY | FAULTS


@pytest.mark.parametrize("name", sorted(HEALTHY | FAULTS))
def test_every_bundled_scenario_loads_standalone_and_explains_itself(name: str) -> None:
    scenario = load(name)
    assert scenario.name == name
    assert scenario.source == f"bundled:{name}"
    assert "correct suite" in scenario.description
    assert scenario.gpu_nodes
    ips = [n.internal_ip for n in scenario.nodes]
    assert len(set(ips)) == len(ips) and all(
        ip.startswith("127.") and not ip.startswith("127.0.0.") for ip in ips
    )


def test_seed_is_the_tutorial_cluster() -> None:
    seed = load("seed")
    master, node05, node06 = seed.nodes
    assert master.name == "k8s-master01" and master.roles == ("control-plane",) and not master.gpus
    assert [(t.key, t.effect) for t in master.taints] == [
        ("node-role.kubernetes.io/control-plane", "NoSchedule")
    ]
    assert node05.name == "k8s-node05" and len(node05.gpus) == 2 and ("gpu-node", "true") in node05.labels
    assert len(node06.gpus) == 1
    for node in (node05, node06):
        assert node.host is not None and node.host.toolkit.version is not None
        assert version_tuple(node.host.toolkit.version) >= (1, 7)
        assert node.host.runtime.config_version == 2 and node.host.runtime.default_runtime == "nvidia"
        assert node.exporter.kind == "nvidia_gpu_exporter" and node.exporter.port == 9835
    assert seed.device_plugin.style == "static" and seed.device_plugin.version == "v0.14.3"
    assert seed.version.git_version.startswith("v1.28.")


def _differences(name: str) -> dict[str, object]:
    """What a fault scenario changes relative to seed, node by node and cluster-wide."""
    seed, fault = load("seed"), load(name)
    changed: dict[str, object] = {n.name: n for n, m in zip(seed.nodes, fault.nodes, strict=True) if n != m}
    for field in ("version", "device_plugin", "api_faults", "unreachable_images"):
        if getattr(seed, field) != getattr(fault, field):
            changed[field] = getattr(fault, field)
    return changed


# Faults against another base, or that take two knobs to express one thing (the version of every
# kubelet; the plugin's failOnInitError and the node where it finds no device) are checked by hand.
SINGLE_CHANGE = FAULTS - {"docker-runtime-not-default", "kubernetes-too-old", "plugin-no-devices",
                          "node-not-ready-later", "gpu-node-unlabelled", "plugin-not-selected", "half-hardened",
                          "cdi-spec-missing", "cdi-spec-stale", "shared-gpu", "xid-unhealthy-operator",
                          "cgroup-dev-char-missing"} - {
                          n for n in FAULTS if n.startswith("dra-")}  # against dra: tests/sim/dra


@pytest.mark.parametrize("name", sorted(SINGLE_CHANGE))
def test_each_fault_breaks_exactly_one_thing(name: str) -> None:
    assert len(_differences(name)) == 1


def test_plugin_not_selected_is_one_label_on_the_operator_cluster() -> None:
    operator, fault = load("gpu-operator"), load("plugin-not-selected")
    changed = [m for n, m in zip(operator.nodes, fault.nodes, strict=True) if n != m]
    assert [(m.name, dict(m.labels)) for m in changed] == [
        ("k8s-node06", {"gpu-node": "true", "nvidia.com/gpu.deploy.device-plugin": "false"})]
    assert fault.device_plugin == operator.device_plugin


@pytest.mark.parametrize(("name", "after"), [
    ("cdi-spec-missing", AfterPluginStart(removed_files=("/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json",))),
    ("cdi-spec-stale", AfterPluginStart(gpus_replaced=True))])
def test_cdi_spec_faults_are_one_node_of_the_operator_cluster(name: str, after: AfterPluginStart) -> None:
    operator, fault = load("gpu-operator"), load(name)
    changed = [m for n, m in zip(operator.nodes, fault.nodes, strict=True) if n != m]
    assert [(m.name, m.host.after_plugin_start) for m in changed if m.host] == [("k8s-node06", after)]
    assert fault.device_plugin == operator.device_plugin


def test_xid_unhealthy_operator_is_one_gpu_of_the_operator_cluster() -> None:
    operator, fault = load("gpu-operator"), load("xid-unhealthy-operator")
    changed = [m for n, m in zip(operator.nodes, fault.nodes, strict=True) if n != m]
    assert [(m.name, m.unhealthy_gpus, m.unhealthy_xid) for m in changed] == [("k8s-node05", (1,), 79)]


def test_plugin_no_devices_is_one_node_under_a_lenient_plugin() -> None:
    assert set(_differences("plugin-no-devices")) == {"k8s-node06", "device_plugin"}
    scenario = load("plugin-no-devices")
    assert not scenario.device_plugin.fail_on_init_error
    assert scenario.node("k8s-node06").device_plugin == "no_devices"


def test_kubernetes_too_old_ages_every_kubelet() -> None:
    scenario = load("kubernetes-too-old")
    assert {n.kubelet_version for n in scenario.nodes} == {"v1.9.11"} == {scenario.version.git_version}


def test_node_faults_break_only_k8s_node06() -> None:
    assert load("driver-too-old").node("k8s-node06").host.driver_version == "375.26"  # type: ignore[union-attr]
    assert load("driver-too-old").node("k8s-node05") == load("seed").node("k8s-node05")
    toolkit = load("toolkit-too-old").node("k8s-node06").host.toolkit  # type: ignore[union-attr]
    assert toolkit.version == "1.6.0" and "nvidia-ctk" not in toolkit.binaries
    assert load("runtime-not-default").node("k8s-node06").host.runtime.default_runtime == "runc"  # type: ignore[union-attr]


def test_vendor_versions() -> None:
    eks = load("eks").version
    assert (eks.major, eks.minor, eks.git_version) == ("1", "28+", "v1.28.3-eks-4f4795d")
    assert load("k3s").version.minor == "28"
    assert load("kubernetes-too-old").version.minor == "9"
    given = loads(
        "name: t\nkubernetes:\n  version: {gitVersion: v1.28.3-gke.100, minor: '28'}\nnodes: [{name: a}]\n"
    )
    assert given.version.minor == "28"


def test_runtime_setup_follows_the_container_runtime() -> None:
    k3s = load("k3s").node("k8s-node05").host
    assert k3s is not None and (k3s.runtime.kind, k3s.runtime.layout) == ("containerd", "k3s")
    dropin = load("containerd-v3-dropin").node("k8s-node05").host
    assert dropin is not None and dropin.runtime.config_version == 3
    assert dropin.runtime.handlers == ("nvidia", "nvidia-cdi", "nvidia-legacy")
    assert load("docker").node("k8s-node05").host.runtime.kind == "docker"  # type: ignore[union-attr]
    assert load("crio").node("k8s-node05").host.runtime.kind == "cri-o"  # type: ignore[union-attr]


def test_a_gpu_node_without_host_is_healthy() -> None:
    host = loads(TWO_NODES).node("a").host
    assert host is not None and host.driver_version == "535.104.05" and host.toolkit.version == "1.14.3"
    assert host.runtime.default_runtime == "nvidia"


def test_count_replicates_with_formatted_names_fresh_ips_and_uuids() -> None:
    text = (
        "name: big\ndefaults:\n  gpus: {count: 8, model: H100 80GB HBM3}\nnodes:\n"
        "  - name: gpu-{index:04d}\n    count: 1000\n"
    )
    started = time.perf_counter()
    scenario = loads(text)
    assert time.perf_counter() - started < 1.0
    assert [n.name for n in scenario.nodes[:2]] == ["gpu-0001", "gpu-0002"]
    assert scenario.nodes[0].internal_ip == "127.0.1.1" and scenario.nodes[254].internal_ip == "127.0.2.1"
    uuids = {g.uuid for n in scenario.nodes for g in n.gpus}
    assert len(uuids) == 8000
    assert (
        scenario.nodes[0].gpus[0].memory_mib == 81559
        and scenario.nodes[0].gpus[0].name == "NVIDIA H100 80GB HBM3"
    )


def test_scaled_copies_the_first_gpu_node() -> None:
    big = scaled("driver-too-old", 1000)
    assert len(big.gpu_nodes) == 1000 and big.node("k8s-master01").roles == ("control-plane",)
    copies = [n for n in big.gpu_nodes if n.name.startswith("k8s-node05-")]
    assert len(copies) == 998 and all(n.host == big.node("k8s-node05").host for n in copies)
    assert len({n.internal_ip for n in big.nodes}) == len(big.nodes)
    assert len({g.uuid for n in big.nodes for g in n.gpus}) == sum(len(n.gpus) for n in big.nodes)


def test_a_user_file_can_build_on_a_bundled_base(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(
        "name: mine\nbase: seed\nnodes:\n  - name: k8s-node05\n    gpus: {count: 4}\n"
        "  - name: extra\n    gpus: {count: 1, model: L4}\n"
    )
    scenario = load(str(path))
    assert scenario.source == str(path)
    assert len(scenario.node("k8s-node05").gpus) == 4
    assert scenario.node("k8s-node05").gpus[0].name == "NVIDIA GeForce RTX 4090"
    assert scenario.node("extra").internal_ip == "127.0.1.4"


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
