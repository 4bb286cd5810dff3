"""Scenario files: every bundled one loads; mistakes give one exact line naming file, line and field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from gpusim.model import AfterPluginStart
from gpusim.scenario import bundled_names, load, loads, scaled

from gpu_conformance.cuda import version_tuple
from tests.sim.scenario_text import TWO_NODES

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
