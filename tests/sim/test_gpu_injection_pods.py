"""What a container sees of the node's GPUs, through the real API and the simulated kubelet and runtime.

Each pod runs a tiny Python program (a registered image, so a real process) that prints the ``nvidia*`` entries
of its /dev and the GPUs NVML lists when it loads ``libnvidia-ml.so.1`` by soname, as a program in a real
container would. Clusters are the bundled scenarios, each started once for the tests of it, which follow one another.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from gpusim.cluster import SimCluster
from gpusim.images import register_image
from gpusim.model import Scenario
from gpusim.scenario import load, loads
from gpusim.testing import TEST_ADDRESS_BLOCK
from kubernetes import client, config

from tests.sim.nvml_program import NVML_UUIDS

pytestmark = pytest.mark.e2e

CUDA_ENV = {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}
CUDA_IMAGE = "example.com/sees-cuda:1.0"  # an image built FROM nvidia/cuda: NVIDIA_VISIBLE_DEVICES=all
PLAIN_IMAGE = "example.com/sees-plain:1.0"  # an image without NVIDIA variables (ubuntu, say)
register_image("sees-cuda", "python", [sys.executable], env=CUDA_ENV)
register_image("sees-plain", "python", [sys.executable], env={})

SEES = NVML_UUIDS + """
import json, os, sys
dev = sys.argv[1]
gpus = nvml_uuids()
nodes = sorted(n for n in os.listdir(dev) if n.startswith("nvidia"))
print(json.dumps({"dev": dev, "nodes": nodes, "nvml": "Library Not Found" if gpus is None else gpus}))
"""

_started: dict[str, SimCluster] = {}


@pytest.fixture(scope="module")
def clusters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SimCluster]]:
    yield _started
    while _started:
        _started.popitem()[1].stop()


def cluster(clusters: dict[str, SimCluster], tmp_path_factory: pytest.TempPathFactory,
            scenario: str | Scenario) -> SimCluster:
    """The scenario's cluster (bundled, by name), started on first use; one at a time (the nodes' exporter
    addresses are the same)."""
    name = scenario if isinstance(scenario, str) else scenario.name
    if name not in clusters:
        while clusters:
            clusters.popitem()[1].stop()
        path = tmp_path_factory.mktemp(name) / "kubeconfig"
        loaded = load(scenario) if isinstance(scenario, str) else scenario
        clusters[name] = SimCluster(loaded, path, time_scale=0.2, address_block=TEST_ADDRESS_BLOCK).start()
    return clusters[name]


@pytest.fixture
def start(clusters: dict[str, SimCluster], tmp_path_factory: pytest.TempPathFactory) -> Any:
    return lambda scenario: cluster(clusters, tmp_path_factory, scenario)


def core(sim: SimCluster) -> client.CoreV1Api:
    return client.CoreV1Api(config.new_client_from_config(str(sim.kubeconfig), persist_config=False))


_count = iter(range(10**6))


def pod(node: str, *, image: str = CUDA_IMAGE, gpus: int = 0, env: dict[str, str] | None = None,
        privileged: bool = False, runtime_class: str | None = None,
        extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "sees", "image": image, "command": ["python", "-c", SEES, "/dev"]}
    if gpus:
        container["resources"] = {"limits": {"nvidia.com/gpu": str(gpus)}}
    if env is not None:
        container["env"] = [{"name": k, "value": v} for k, v in env.items()]
    if privileged:
        container["securityContext"] = {"privileged": True}
    spec: dict[str, Any] = {"restartPolicy": "Never", "nodeName": node, "containers": [container, *(extra or [])]}
    if runtime_class:
        spec["runtimeClassName"] = runtime_class
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"sees-{next(_count)}"}, "spec": spec}


def finished(api: client.CoreV1Api, name: str, timeout: float = 20) -> client.V1Pod:
    deadline = time.monotonic() + timeout
    while True:
        found = api.read_namespaced_pod(name, "default")
        if found.status.phase in ("Succeeded", "Failed"):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"pod {name} still {found.status.phase}: {found.status.container_statuses}")
        time.sleep(0.05)


def sees(sim: SimCluster, manifest: dict[str, Any], container: str = "sees") -> dict[str, Any]:
    api = core(sim)
    api.create_namespaced_pod("default", manifest)
    name = manifest["metadata"]["name"]
    done = finished(api, name)
    assert done.status.phase == "Succeeded", done.status.container_statuses
    log = api.read_namespaced_pod_log(name, "default", container=container)
    seen: dict[str, Any] = json.loads(log)
    api.delete_namespaced_pod(name, "default", grace_period_seconds=0)
    return seen


def uuids(sim: SimCluster, node: str, *indices: int) -> list[str]:
    gpus = sim.scenario.node(node).gpus
    return [gpus[i].uuid for i in (indices or range(len(gpus)))]


CONTROL = ["nvidia-uvm", "nvidia-uvm-tools", "nvidiactl"]
CDI_CONTROL = ["nvidia-modeset", *CONTROL]


def nodes(*names: str) -> list[str]:
    """/dev entries as the program lists them (sorted)."""
    return sorted(names)


# -- the tutorial's seed: nvidia default, envvar strategy, the env var accepted from anyone ------------------

def test_seed_a_gpu_pod_sees_its_gpu_only(start: Any) -> None:
    seed = start("seed")
    seen = sees(seed, pod("k8s-node05", gpus=1))
    assert seen["dev"] == "/dev"
    assert seen["nodes"] == nodes("nvidia0", *CONTROL)
    assert seen["nvml"] == uuids(seed, "k8s-node05", 0)


def test_seed_leaks_every_gpu_to_a_pod_without_a_request_whose_image_says_all(start: Any) -> None:
    seed = start("seed")
    seen = sees(seed, pod("k8s-node05"))
    assert seen["nodes"] == nodes("nvidia0", "nvidia1", *CONTROL)
    assert seen["nvml"] == uuids(seed, "k8s-node05")
    assert sees(seed, pod("k8s-node05", env={"NVIDIA_VISIBLE_DEVICES": "all"}, image=PLAIN_IMAGE))[
        "nvml"] == uuids(seed, "k8s-node05")


def test_seed_void_empty_unset_and_none(start: Any) -> None:
    seed = start("seed")
    nothing = {"dev": "/dev", "nodes": [], "nvml": "Library Not Found"}
    assert sees(seed, pod("k8s-node05", env={"NVIDIA_VISIBLE_DEVICES": "void"})) == nothing
    assert sees(seed, pod("k8s-node05", env={"NVIDIA_VISIBLE_DEVICES": ""})) == nothing
    assert sees(seed, pod("k8s-node05", image=PLAIN_IMAGE)) == nothing
    driver_only = sees(seed, pod("k8s-node05", env={"NVIDIA_VISIBLE_DEVICES": "none"}))
    assert driver_only == {"dev": "/dev", "nodes": nodes(*CONTROL), "nvml": []}


def test_seed_a_pod_spec_env_overrides_the_plugins_list(start: Any) -> None:
    seed = start("seed")
    seen = sees(seed, pod("k8s-node05", gpus=1, env={"NVIDIA_VISIBLE_DEVICES": "all"}))
    assert seen["nvml"] == uuids(seed, "k8s-node05")


def test_seed_a_second_container_with_an_empty_list_sees_nothing_beside_a_gpu_holder(start: Any) -> None:
    seed = start("seed")
    second = {"name": "second", "image": CUDA_IMAGE, "command": ["python", "-c", SEES, "/dev"],
              "env": [{"name": "NVIDIA_VISIBLE_DEVICES", "value": ""}]}
    manifest = pod("k8s-node05", gpus=1, extra=[second])
    api = core(seed)
    api.create_namespaced_pod("default", manifest)
    name = manifest["metadata"]["name"]
    assert finished(api, name).status.phase == "Succeeded"
    first = json.loads(api.read_namespaced_pod_log(name, "default", container="sees"))
    other = json.loads(api.read_namespaced_pod_log(name, "default", container="second"))
    assert first["nvml"] == uuids(seed, "k8s-node05", 0)
    assert other == {"dev": "/dev", "nodes": [], "nvml": "Library Not Found"}


def test_seed_two_one_gpu_pods_see_different_gpus(start: Any) -> None:
    seed = start("seed")
    api = core(seed)
    hold = [{"name": "hold", "image": "busybox", "command": ["sleep", "3"]}]  # both pods hold their GPU at once
    first, second = pod("k8s-node05", gpus=1, extra=hold), pod("k8s-node05", gpus=1, extra=hold)
    for manifest in (first, second):
        api.create_namespaced_pod("default", manifest)
    logs = []
    for manifest in (first, second):
        name = manifest["metadata"]["name"]
        assert finished(api, name).status.phase == "Succeeded"
        logs.append(json.loads(api.read_namespaced_pod_log(name, "default", container="sees")))
    assert sorted(log["nvml"][0] for log in logs) == sorted(uuids(seed, "k8s-node05"))
    assert sorted(n for log in logs for n in log["nodes"] if n[6:].isdigit()) == ["nvidia0", "nvidia1"]
    for manifest in (first, second):
        api.delete_namespaced_pod(manifest["metadata"]["name"], "default", grace_period_seconds=0)


def test_a_privileged_container_sees_every_device_node_but_no_driver_unless_injected(start: Any) -> None:
    seed = start("seed")
    seen = sees(seed, pod("k8s-node05", privileged=True, env={"NVIDIA_VISIBLE_DEVICES": "void"}))
    assert seen == {"dev": "/dev", "nodes": nodes("nvidia-modeset", "nvidia0", "nvidia1", *CONTROL),
                    "nvml": "Library Not Found"}


# -- hardened and half hardened ----------------------------------------------------------------------------

def test_hardened_gpu_pod_sees_its_gpu_through_volume_mounts_and_nothing_leaks(start: Any) -> None:
    hardened = start("hardened")
    assert sees(hardened, pod("k8s-node05", gpus=1))["nvml"] == uuids(hardened, "k8s-node05", 0)
    nothing = {"dev": "/dev", "nodes": [], "nvml": "Library Not Found"}
    assert sees(hardened, pod("k8s-node05")) == nothing
    assert sees(hardened, pod("k8s-node05", env={"NVIDIA_VISIBLE_DEVICES": "all"})) == nothing
    privileged = sees(hardened, pod("k8s-node06", privileged=True))  # a privileged container's env is accepted
    assert privileged["nvml"] == uuids(hardened, "k8s-node06")


def test_half_hardened_still_leaks_to_pods_without_a_request(start: Any) -> None:
    half = start("half-hardened")
    assert sees(half, pod("k8s-node05", gpus=1))["nvml"] == uuids(half, "k8s-node05", 0)
    assert sees(half, pod("k8s-node05"))["nvml"] == uuids(half, "k8s-node05")


# -- the GPU Operator's CDI wiring ------------------------------------------------------------------------

def test_operator_gpu_pods_get_their_gpu_by_containerd_cdi_under_runc_or_the_nvidia_class(start: Any) -> None:
    operator = start("gpu-operator")
    assert sees(operator, pod("k8s-node05", gpus=1)) == {
        "dev": "/dev", "nodes": nodes("nvidia0", *CDI_CONTROL), "nvml": uuids(operator, "k8s-node05", 0)}
    for runtime_class in ("nvidia", "nvidia-cdi", "nvidia-legacy"):
        seen = sees(operator, pod("k8s-node06", gpus=1, runtime_class=runtime_class))
        assert seen["nvml"] == uuids(operator, "k8s-node06", 0), runtime_class


def test_operator_no_request_pods_see_nothing_under_runc_but_all_under_runtime_class_nvidia(start: Any) -> None:
    operator = start("gpu-operator")
    assert sees(operator, pod("k8s-node05")) == {"dev": "/dev", "nodes": [], "nvml": "Library Not Found"}
    assert sees(operator, pod("k8s-node05", runtime_class="nvidia"))["nvml"] == uuids(operator, "k8s-node05")
    assert sees(operator, pod("k8s-node05", runtime_class="nvidia", env={"NVIDIA_VISIBLE_DEVICES": "void"}))[
        "nvml"] == "Library Not Found"


PLUGIN_SPEC = "var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json"


def plugin_pods(api: client.CoreV1Api) -> dict[str, client.V1Pod]:
    found = api.list_namespaced_pod("gpu-operator", label_selector="app=nvidia-device-plugin-daemonset").items
    return {p.spec.node_name: p for p in found}


def waiting_reason(api: client.CoreV1Api, manifest: dict[str, Any], reason: str) -> client.V1ContainerStateWaiting:
    api.create_namespaced_pod("default", manifest)
    name = manifest["metadata"]["name"]
    deadline = time.monotonic() + 15
    while True:
        statuses = api.read_namespaced_pod(name, "default").status.container_statuses or []
        waiting = statuses[0].state.waiting if statuses else None
        if waiting is not None and waiting.reason == reason:
            return waiting
        assert time.monotonic() < deadline, statuses
        time.sleep(0.05)


def test_operator_plugin_writes_its_cdi_spec_to_the_host_at_start(start: Any) -> None:
    operator = start("gpu-operator")
    api = core(operator)
    for node in ("k8s-node05", "k8s-node06"):
        spec = json.loads((operator.host_root(node) / PLUGIN_SPEC).read_text())
        assert spec["kind"] == "k8s.device-plugin.nvidia.com/gpu"
        assert [d["name"] for d in spec["devices"]] == uuids(operator, node)
        log = api.read_namespaced_pod_log(plugin_pods(api)[node].metadata.name, "gpu-operator")
        assert 'level=info msg="Generating CDI spec for resource: k8s.device-plugin.nvidia.com/gpu"' in log
    listed = sorted(p.name for p in (operator.host_root("k8s-node05") / "var/run/cdi").iterdir())
    assert listed == ["k8s.device-plugin.nvidia.com-gpu.json", "management.nvidia.com-gpu.yaml"]
    assert not (operator.host_root("k8s-node05") / "etc/cdi").exists()


def test_missing_plugin_spec_fails_gpu_pods_until_the_plugin_restarts(start: Any) -> None:
    missing = start("cdi-spec-missing")
    api = core(missing)
    assert not (missing.host_root("k8s-node06") / PLUGIN_SPEC).exists()
    plugin = plugin_pods(api)["k8s-node06"]
    assert plugin.status.container_statuses[0].ready
    assert api.read_node("k8s-node06").status.allocatable["nvidia.com/gpu"] == "1"
    manifest = pod("k8s-node06", gpus=1)
    waiting = waiting_reason(api, manifest, "CreateContainerError")
    name = f"k8s.device-plugin.nvidia.com/gpu={uuids(missing, 'k8s-node06', 0)[0]}"
    assert waiting.message.endswith(f"CDI device injection failed: unresolvable CDI devices {name}")
    assert api.read_namespaced_pod(manifest["metadata"]["name"], "default").status.phase == "Pending"
    events = api.list_namespaced_event("default", field_selector=f"involvedObject.name={manifest['metadata']['name']}")
    assert any(e.reason == "Failed" and "unresolvable CDI devices" in e.message for e in events.items)
    api.delete_namespaced_pod(manifest["metadata"]["name"], "default", grace_period_seconds=0)
    assert sees(missing, pod("k8s-node06", runtime_class="nvidia"))["nvml"] == uuids(missing, "k8s-node06")
    api.delete_namespaced_pod(plugin.metadata.name, "gpu-operator", grace_period_seconds=0)  # the remedy
    deadline = time.monotonic() + 15
    while not (missing.host_root("k8s-node06") / PLUGIN_SPEC).exists():
        assert time.monotonic() < deadline, "the restarted plugin wrote no spec"
        time.sleep(0.05)
    deadline = time.monotonic() + 15
    while api.read_node("k8s-node06").status.allocatable.get("nvidia.com/gpu") != "1":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sees(missing, pod("k8s-node06", gpus=1))["nvml"] == uuids(missing, "k8s-node06", 0)


def test_stale_plugin_spec_gives_a_gpu_pod_the_new_board_by_the_old_name(start: Any) -> None:
    stale = start("cdi-spec-stale")
    api = core(stale)
    real = uuids(stale, "k8s-node06", 0)[0]
    [device] = json.loads((stale.host_root("k8s-node06") / PLUGIN_SPEC).read_text())["devices"]
    assert device["name"] != real
    manifest = pod("k8s-node06", gpus=1)
    assert sees(stale, manifest) == {"dev": "/dev", "nodes": nodes("nvidia0", *CDI_CONTROL), "nvml": [real]}
    plugin = plugin_pods(api)["k8s-node06"]
    api.delete_namespaced_pod(plugin.metadata.name, "gpu-operator", grace_period_seconds=0)
    deadline = time.monotonic() + 15
    while real not in (stale.host_root("k8s-node06") / PLUGIN_SPEC).read_text():
        assert time.monotonic() < deadline, "the restarted plugin kept the old UUID"
        time.sleep(0.05)


STATIC_CDI = """
name: static-cdi
base: gpu-operator
description: the static manifest's plugin (no /var/run/cdi from the host) with the operator's CDI strategies
devicePlugin: {style: static, runtimeClassName: nvidia}
"""


def test_a_cdi_plugin_without_the_hosts_var_run_cdi_keeps_its_spec_to_itself(start: Any) -> None:
    static = start(loads(STATIC_CDI))
    api = core(static)
    [plugin] = api.list_namespaced_pod("kube-system", label_selector="name=nvidia-device-plugin-ds",
                                       field_selector="spec.nodeName=k8s-node05").items
    assert plugin.status.container_statuses[0].ready
    log = api.read_namespaced_pod_log(plugin.metadata.name, "kube-system")
    assert "Generating CDI spec for resource: k8s.device-plugin.nvidia.com/gpu" in log
    assert not (static.host_root("k8s-node05") / PLUGIN_SPEC).exists()
    waiting = waiting_reason(api, pod("k8s-node05", gpus=1), "CreateContainerError")
    assert "CDI device injection failed: unresolvable CDI devices k8s.device-plugin.nvidia.com/gpu=GPU-" in \
        waiting.message


# -- RuntimeClass without CDI -------------------------------------------------------------------------------

def test_runtimeclass_legacy_gpus_only_with_the_class(start: Any) -> None:
    legacy = start("runtimeclass-legacy")
    with_class = sees(legacy, pod("k8s-node05", gpus=1, runtime_class="nvidia"))
    assert with_class["nvml"] == uuids(legacy, "k8s-node05", 0)
    without = sees(legacy, pod("k8s-node05", gpus=1))
    assert without == {"dev": "/dev", "nodes": [], "nvml": "Library Not Found"}
    assert sees(legacy, pod("k8s-node05", runtime_class="nvidia"))["nvml"] == uuids(legacy, "k8s-node05")
