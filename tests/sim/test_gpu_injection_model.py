"""The injection model alone: the plugin's Allocate answer, the runtime's decision, the host files it reads."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from gpusim.cdi_spec import PLUGIN_SPEC, host_devices, render_plugin_spec, render_spec, spec_devices, stale_uuid
from gpusim.hostroot import render_host_root
from gpusim.hostroot.toolkit_config import toolkit_config
from gpusim.images.allocation import allocate
from gpusim.images.dockerfile import final_stage_env
from gpusim.images.injection import ContainerRequest, Injection, inject
from gpusim.model import CdiSetup, DeviceIdStrategy, Gpu, NodeSpec, Toolkit
from gpusim.plugin_manifests import plugin_objects
from gpusim.plugin_start import render_started_host_root
from gpusim.scenario import ScenarioError, load, loads

SEED = load("seed")
NODE = SEED.node("k8s-node05")  # two GPUs, nvidia default, envvar accepted, no CDI
OPERATOR = load("gpu-operator").node("k8s-node05")  # runc default, enable_cdi, mode cdi, management spec
GPU0, GPU1 = NODE.gpus
CONTROL = ("nvidia-uvm", "nvidia-uvm-tools", "nvidiactl")
NOTHING = Injection()


def with_toolkit(node: NodeSpec, **changes: Any) -> NodeSpec:
    assert node.host is not None
    return replace(node, host=replace(node.host, toolkit=replace(node.host.toolkit, **changes)))


def request(handler: str = "nvidia", env: dict[str, str] | None = None, **changes: Any) -> ContainerRequest:
    return replace(ContainerRequest(handler=handler, env=env or {}), **changes)


def gpus(injection: Injection) -> list[str]:
    return [g.uuid for g in injection.gpus]


# -- legacy mode (the tutorial's setup) ----------------------------------------------------------------------

def test_legacy_reads_nvidia_visible_devices() -> None:
    everything = inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "all"}))
    assert gpus(everything) == [GPU0.uuid, GPU1.uuid] and everything.driver
    assert everything.device_nodes == tuple(sorted(("nvidia0", "nvidia1", *CONTROL)))
    assert gpus(inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": GPU1.uuid}))) == [GPU1.uuid]
    assert gpus(inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "1"}))) == [GPU1.uuid]
    for value in ("void", "", " "):
        assert inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": value})) == NOTHING
    assert inject(NODE, request()) == NOTHING
    none = inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "none"}))
    assert (none.gpus, none.driver, none.device_nodes) == ((), True, CONTROL)


def test_legacy_unknown_device_fails_the_start_as_nvidia_container_cli_does() -> None:
    failure = inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "GPU-nope"})).failure
    assert failure is not None and failure.reason == "RunContainerError"
    assert "nvidia-container-cli: device error: GPU-nope: unknown device" in failure.message


def test_runc_injects_nothing_and_a_missing_driver_or_toolkit_neither() -> None:
    assert inject(NODE, request("runc", {"NVIDIA_VISIBLE_DEVICES": "all"})) == NOTHING
    assert NODE.host is not None
    no_driver = replace(NODE, host=replace(NODE.host, driver_version=None))
    assert inject(no_driver, request(env={"NVIDIA_VISIBLE_DEVICES": "all"})) == NOTHING
    no_toolkit = with_toolkit(NODE, version=None, binaries=())
    assert inject(no_toolkit, request(env={"NVIDIA_VISIBLE_DEVICES": "all"})) == NOTHING
    assert inject(None, request(env={"NVIDIA_VISIBLE_DEVICES": "all"})) == NOTHING


def test_envvar_refused_from_unprivileged_containers_when_the_toolkit_says_so() -> None:
    hardened = with_toolkit(NODE, accept_envvar_unprivileged=False)
    env = {"NVIDIA_VISIBLE_DEVICES": "all"}
    assert inject(hardened, request(env=env)) == NOTHING
    assert gpus(inject(hardened, request(env=env, sys_admin=True))) == [GPU0.uuid, GPU1.uuid]
    assert gpus(inject(hardened, request(env=env, privileged=True))) == [GPU0.uuid, GPU1.uuid]


def test_volume_mounts_decide_when_accepted() -> None:
    response = allocate((GPU1,), ("volume-mounts",), "pod/c")
    env = {"NVIDIA_VISIBLE_DEVICES": response.envs["NVIDIA_VISIBLE_DEVICES"]}
    hardened = with_toolkit(NODE, accept_envvar_unprivileged=False, accept_volume_mounts=True)
    assert gpus(inject(hardened, request(env=env, device_mounts=response.device_mounts))) == [GPU1.uuid]
    # Not accepted: the env var names a folder, which is no device: nvidia-container-cli refuses it.
    failure = inject(NODE, request(env=env, device_mounts=response.device_mounts)).failure
    assert failure is not None and "/var/run/nvidia-container-devices: unknown device" in failure.message


def test_privileged_sees_every_node_but_no_driver_without_injection() -> None:
    seen = inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "void"}, privileged=True))
    assert not seen.driver and seen.gpus == ()
    assert seen.device_nodes == tuple(sorted(("nvidia-modeset", "nvidia0", "nvidia1", *CONTROL)))
    one = inject(NODE, request(env={"NVIDIA_VISIBLE_DEVICES": "0"}, privileged=True))
    assert gpus(one) == [GPU0.uuid, GPU1.uuid]  # NVML opens every /dev/nvidiaN it finds


# -- CDI ---------------------------------------------------------------------------------------------------

def plugin_specs(root: Path, node: NodeSpec, gpus: tuple[tuple[Gpu, str], ...] | None = None,
                 strategy: DeviceIdStrategy = "uuid") -> dict[str, tuple[int, ...]]:
    """The CDI devices under ``root`` once the plugin has written its spec there for ``gpus`` (default: the node's
    GPUs by their UUIDs), beside the specs the host had before."""
    assert node.host is not None and node.host.driver_version is not None
    render_host_root(node, root)
    listed = gpus if gpus is not None else tuple((g, g.uuid) for g in node.gpus)
    spec = render_plugin_spec(listed, strategy, node.host.driver_version, "/usr/lib/x86_64-linux-gnu", "/hook")
    target = root / PLUGIN_SPEC.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(spec)
    return host_devices(root)


def test_containerd_injects_the_plugins_cdi_devices_from_its_spec_whatever_the_handler(tmp_path: Path) -> None:
    gpu = OPERATOR.gpus[1]
    response = allocate((gpu,), ("cdi-annotations", "cdi-cri"), "pod/c")
    name = f"k8s.device-plugin.nvidia.com/gpu={gpu.uuid}"
    assert response.envs == {} and response.cdi_devices == (name,)
    [(key, value)] = response.annotations.items()
    assert key.startswith("cdi.k8s.io/nvidia-device-plugin_") and value == name
    specs = plugin_specs(tmp_path, OPERATOR)
    env = {"NVIDIA_VISIBLE_DEVICES": "all"}
    seen = inject(OPERATOR, request("runc", env, annotations=response.annotations,
                                    cdi_devices=response.cdi_devices), specs)
    assert gpus(seen) == [gpu.uuid] and seen.env == {"NVIDIA_VISIBLE_DEVICES": "void"}
    assert seen.device_nodes == tuple(sorted(("nvidia1", "nvidia-modeset", *CONTROL)))
    assert inject(OPERATOR, request("runc", env), specs) == NOTHING
    assert gpus(inject(OPERATOR, request("runc", cdi_devices=response.cdi_devices), specs)) == [gpu.uuid]
    assert OPERATOR.host is not None
    cdi_off = replace(OPERATOR, host=replace(OPERATOR.host, runtime=replace(OPERATOR.host.runtime, enable_cdi=False)))
    assert inject(cdi_off, request("runc", cdi_devices=response.cdi_devices), specs) == NOTHING


def test_without_the_plugins_spec_containerd_cannot_resolve_its_names(tmp_path: Path) -> None:
    render_host_root(OPERATOR, tmp_path)  # the management spec only: the plugin has not written its own
    specs = host_devices(tmp_path)
    assert set(specs) == {"management.nvidia.com/gpu=all"}
    name = f"k8s.device-plugin.nvidia.com/gpu={OPERATOR.gpus[0].uuid}"
    failure = inject(OPERATOR, request("runc", cdi_devices=(name,)), specs).failure
    assert failure is not None and failure.reason == "CreateContainerError"
    assert failure.message == f"CDI device injection failed: unresolvable CDI devices {name}"


def test_a_stale_plugin_spec_resolves_the_old_uuid_to_the_device_node_in_its_slot(tmp_path: Path) -> None:
    gpu = OPERATOR.gpus[0]
    old = stale_uuid(gpu)
    specs = plugin_specs(tmp_path, OPERATOR, ((gpu, old),))
    response = allocate((gpu,), ("cdi-annotations", "cdi-cri"), "pod/c", enumerated={gpu.index: old})
    assert response.cdi_devices == (f"k8s.device-plugin.nvidia.com/gpu={old}",)
    assert gpus(inject(OPERATOR, request("runc", cdi_devices=response.cdi_devices), specs)) == [gpu.uuid]


def test_device_id_strategy_index_names_devices_by_index(tmp_path: Path) -> None:
    gpu = OPERATOR.gpus[1]
    response = allocate((gpu,), ("cdi-cri",), "pod/c", id_strategy="index")
    assert response.cdi_devices == ("k8s.device-plugin.nvidia.com/gpu=1",)
    assert allocate((gpu,), ("envvar",), "p/c", id_strategy="index").envs == {"NVIDIA_VISIBLE_DEVICES": "1"}
    specs = plugin_specs(tmp_path, OPERATOR, strategy="index")
    assert {n for n in specs if n.startswith("k8s.")} == {"k8s.device-plugin.nvidia.com/gpu=0",
                                                         "k8s.device-plugin.nvidia.com/gpu=1"}
    assert gpus(inject(OPERATOR, request("runc", cdi_devices=response.cdi_devices), specs)) == [gpu.uuid]


def test_cdi_mode_turns_the_env_var_into_names_of_the_default_kind() -> None:
    seen = inject(OPERATOR, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "all"}))  # management.nvidia.com/gpu=all
    assert gpus(seen) == [g.uuid for g in OPERATOR.gpus]
    one = inject(OPERATOR, request("nvidia-cdi", {"NVIDIA_VISIBLE_DEVICES": "1"})).failure
    assert one is not None and one.message.endswith("unresolvable CDI devices management.nvidia.com/gpu=1: unknown")
    assert inject(OPERATOR, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "void"})) == NOTHING
    legacy = inject(OPERATOR, request("nvidia-legacy", {"NVIDIA_VISIBLE_DEVICES": "all"}))
    assert legacy.device_nodes == tuple(sorted(("nvidia0", "nvidia1", *CONTROL)))
    ctk = with_nvidia_ctk_spec(with_toolkit(OPERATOR, cdi_default_kind="nvidia.com/gpu"), "current")
    assert gpus(inject(ctk, request("nvidia-cdi", {"NVIDIA_VISIBLE_DEVICES": "1"}))) == [OPERATOR.gpus[1].uuid]


def with_nvidia_ctk_spec(node: NodeSpec, state: str, path: str = "/etc/cdi/nvidia.yaml") -> NodeSpec:
    assert node.host is not None
    return replace(node, host=replace(node.host, cdi=CdiSetup(path, state)))  # type: ignore[arg-type]


def test_auto_mode_is_cdi_for_fully_qualified_names_only() -> None:
    auto = with_nvidia_ctk_spec(with_toolkit(OPERATOR, mode="auto"), "current")
    qualified = inject(auto, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "nvidia.com/gpu=0"}))
    assert qualified.env == {"NVIDIA_VISIBLE_DEVICES": "void"} and len(qualified.gpus) == 1
    legacy = inject(auto, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "0"}))
    assert legacy.env == {} and len(legacy.gpus) == 1


def test_unresolvable_cdi_devices_fail_as_containerd_and_the_nvidia_runtime_say() -> None:
    stale = with_nvidia_ctk_spec(OPERATOR, "stale")
    name = f"nvidia.com/gpu={OPERATOR.gpus[0].uuid}"
    created = inject(stale, request("runc", cdi_devices=(name,))).failure
    assert created is not None and created.reason == "CreateContainerError"
    assert created.message == f"CDI device injection failed: unresolvable CDI devices {name}"
    no_management = with_toolkit(OPERATOR, management_spec=False)
    started = inject(no_management, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "all"}, privileged=True)).failure
    assert started is not None and started.reason == "RunContainerError"
    assert started.message.endswith(
        "failed to inject CDI devices: unresolvable CDI devices management.nvidia.com/gpu=all: unknown")


# -- the plugin's answer and manifests -----------------------------------------------------------------------

def test_allocate_per_strategy() -> None:
    assert allocate((GPU0, GPU1), ("envvar",), "p/c").envs == {"NVIDIA_VISIBLE_DEVICES": f"{GPU0.uuid},{GPU1.uuid}"}
    mounts = allocate((GPU0,), ("volume-mounts",), "p/c")
    assert mounts.envs == {"NVIDIA_VISIBLE_DEVICES": "/var/run/nvidia-container-devices"}
    assert mounts.device_mounts == (f"/var/run/nvidia-container-devices/{GPU0.uuid}",)
    assert allocate((), ("envvar",), "p/c") == allocate((), ("cdi-cri",), "p/c")
    both = allocate((GPU0,), ("envvar", "cdi-annotations"), "p/c")
    assert both.envs and both.annotations and not both.cdi_devices


def plugin_container(scenario_name: str) -> tuple[dict[str, object], dict[str, object]]:
    objects = plugin_objects(load(scenario_name))
    spec = next(o for _, o in objects if o["metadata"].get("name", "").endswith(("daemonset", "device-plugin")))
    pod_spec = spec["spec"]["template"]["spec"]
    return pod_spec, pod_spec["containers"][0]


def test_plugin_manifests_carry_the_strategy_as_the_real_ones_do() -> None:
    _, seed = plugin_container("seed")
    assert "env" not in seed
    pod, hardened = plugin_container("hardened")
    assert hardened["env"] == [{"name": "DEVICE_LIST_STRATEGY", "value": "volume-mounts"}]
    assert hardened["securityContext"] == {"capabilities": {"add": ["SYS_ADMIN"]}}
    assert "runtimeClassName" not in pod
    pod, operator = plugin_container("gpu-operator")
    assert pod["runtimeClassName"] == "nvidia" and operator["securityContext"] == {"privileged": True}
    assert {"name": "DEVICE_LIST_STRATEGY", "value": "cdi-annotations,cdi-cri"} in operator["env"]  # type: ignore[operator]
    pod, _ = plugin_container("runtimeclass-legacy")
    assert pod["runtimeClassName"] == "nvidia"


def test_the_operators_plugin_and_the_helm_chart_from_v0_15_mount_the_hosts_var_run_cdi() -> None:
    cdi_root = {"name": "cdi-root", "hostPath": {"path": "/var/run/cdi", "type": "DirectoryOrCreate"}}
    pod, operator = plugin_container("gpu-operator")
    assert cdi_root in pod["volumes"]  # type: ignore[operator]
    assert {"name": "cdi-root", "mountPath": "/var/run/cdi"} in operator["volumeMounts"]  # type: ignore[operator]
    pod, _ = plugin_container("seed")  # the static manifest: never
    assert cdi_root not in pod["volumes"]  # type: ignore[operator]
    helm = load("helm-gfd")
    for version, mounted in (("v0.14.5", False), ("v0.15.0", True)):
        objects = plugin_objects(replace(helm, device_plugin=replace(helm.device_plugin, version=version)))
        plugin = next(o for _, o in objects if o["metadata"]["name"] == "nvdp-nvidia-device-plugin")
        assert (cdi_root in plugin["spec"]["template"]["spec"]["volumes"]) is mounted, version
    indexed = load("seed")
    indexed = replace(indexed, device_plugin=replace(indexed.device_plugin, device_id_strategy="index"))
    container = plugin_objects(indexed)[0][1]["spec"]["template"]["spec"]["containers"][0]
    assert container["env"] == [{"name": "DEVICE_ID_STRATEGY", "value": "index"}]


# -- host files ------------------------------------------------------------------------------------------------

def test_toolkit_config_comments_defaults_out_and_writes_changed_keys() -> None:
    default = toolkit_config(Toolkit(version="1.14.3"), "@/sbin/ldconfig").splitlines()
    assert default[:2] == ["#accept-nvidia-visible-devices-as-volume-mounts = false",
                           "#accept-nvidia-visible-devices-envvar-when-unprivileged = true"]
    assert 'mode = "auto"' in default and 'annotation-prefixes = ["cdi.k8s.io/"]' in default
    hardened = toolkit_config(Toolkit(version="1.14.3", accept_envvar_unprivileged=False, accept_volume_mounts=True,
                                      mode="cdi"), "@/sbin/ldconfig").splitlines()
    assert hardened[:2] == ["accept-nvidia-visible-devices-as-volume-mounts = true",
                            "accept-nvidia-visible-devices-envvar-when-unprivileged = false"]
    assert 'mode = "cdi"' in hardened


def test_nvidia_ctk_spec_lists_each_gpu_by_index_and_uuid_plus_all() -> None:
    ctk = with_nvidia_ctk_spec(OPERATOR, "current")
    text = render_spec(ctk, "/usr/lib/x86_64-linux-gnu", "/usr/bin/nvidia-cdi-hook")
    assert text is not None and text.startswith("---\ncdiVersion: 0.5.0\ncontainerEdits:\n")
    assert "  - NVIDIA_VISIBLE_DEVICES=void\n" in text and text.endswith("kind: nvidia.com/gpu\n")
    assert '  name: "1"\n' in text and f"  name: {OPERATOR.gpus[1].uuid}\n" in text
    assert "    - path: /dev/nvidia0\n    - path: /dev/nvidia1\n  name: all\n" in text
    ctk_names = {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=all",
                 *(f"nvidia.com/gpu={g.uuid}" for g in OPERATOR.gpus)}
    assert set(spec_devices(ctk)) == {"management.nvidia.com/gpu=all", *ctk_names}
    for state, expected in (("missing", set()),
                            ("missing-gpu", {"nvidia.com/gpu=0", f"nvidia.com/gpu={OPERATOR.gpus[0].uuid}",
                                             "nvidia.com/gpu=all"}),
                            ("stale", {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=all",
                                       *(f"nvidia.com/gpu={stale_uuid(g)}" for g in OPERATOR.gpus)})):
        drifted = with_nvidia_ctk_spec(with_toolkit(OPERATOR, management_spec=False), state)
        assert set(spec_devices(drifted)) == expected, state
    assert spec_devices(NODE) == {} and render_spec(NODE, "/usr/lib64", "/usr/bin/nvidia-cdi-hook") is None
    assert render_spec(OPERATOR, "/usr/lib64", "/hook") is None  # the GPU Operator writes no nvidia.com/gpu spec


def test_the_operators_host_has_the_management_spec_and_the_toolkits_default_kind(tmp_path: Path) -> None:
    render_host_root(OPERATOR, tmp_path)
    assert sorted(p.name for p in (tmp_path / "var/run/cdi").iterdir()) == ["management.nvidia.com-gpu.yaml"]
    assert not (tmp_path / "etc/cdi").exists()
    spec = yaml.safe_load((tmp_path / "var/run/cdi/management.nvidia.com-gpu.yaml").read_text())
    assert spec["kind"] == "management.nvidia.com/gpu" and [d["name"] for d in spec["devices"]] == ["all"]
    assert {"path": "/dev/nvidia1"} in spec["devices"][0]["containerEdits"]["deviceNodes"]
    config_toml = (tmp_path / "etc/nvidia-container-runtime/config.toml").read_text().splitlines()
    assert 'default-kind = "management.nvidia.com/gpu"' in config_toml
    assert host_devices(tmp_path) == {"management.nvidia.com/gpu=all": (0, 1)}


def test_the_plugins_spec_is_json_of_its_kind_one_device_per_gpu_and_no_all() -> None:
    listed = tuple((g, g.uuid) for g in OPERATOR.gpus)
    text = render_plugin_spec(listed, "uuid", "550.127.05", "/usr/lib/x86_64-linux-gnu", "/hook")
    spec = json.loads(text)
    assert list(spec) == ["cdiVersion", "kind", "devices", "containerEdits"] and "\n" not in text.rstrip("\n")
    assert spec["kind"] == "k8s.device-plugin.nvidia.com/gpu"
    assert [d["name"] for d in spec["devices"]] == [g.uuid for g in OPERATOR.gpus]
    assert spec["devices"][1]["containerEdits"] == {"deviceNodes": [{"path": "/dev/nvidia1",
                                                                     "hostPath": "/dev/nvidia1"}]}
    assert spec["containerEdits"]["env"] == ["NVIDIA_VISIBLE_DEVICES=void"]
    mig = load("mig").node("k8s-node05")
    names = [d["name"] for d in json.loads(render_plugin_spec(
        tuple((g, g.uuid) for g in mig.gpus), "uuid", "550.127.05", "/usr/lib", "/hook"))["devices"]]
    assert names == [m.uuid for g in mig.gpus for m in g.mig_devices]
    by_index = json.loads(render_plugin_spec(tuple((g, g.uuid) for g in mig.gpus), "index", "1", "/l", "/h"))
    assert [d["name"] for d in by_index["devices"]][:2] == ["0:0", "0:1"]


@pytest.mark.parametrize(("yaml", "error"), [
    ("devicePlugin: {deviceListStrategy: \"envvar,cdi\"}", 'unknown device list strategy "cdi"'),
    ("defaults: {host: {cdi: {path: /tmp/nvidia.yaml}}}", "a CDI spec is read from /etc/cdi or /var/run/cdi"),
    ("defaults: {host: {cdi: {state: old}}}", "cdi.state"),
    ("defaults: {host: {toolkit: {version: 1.14.3, mode: csv}}}", "toolkit.mode"),
    ("defaults: {host: {toolkit: {version: 1.17.0, cdiDefaultKind: gpu}}}", 'a CDI kind like "nvidia.com/gpu"'),
    ("defaults: {host: {toolkit: {version: 1.17.0, managementSpec: yes please}}}", "managementSpec"),
    ("defaults: {host: {afterPluginStart: {removeFiles: [var/run/cdi/x.json]}}}", "expected an absolute path"),
    ("defaults: {host: {afterPluginStart: {gpusSwapped: true}}}", "gpusSwapped"),
    ("devicePlugin: {deviceIdStrategy: serial}", "deviceIdStrategy"),
])
def test_scenario_keys_are_checked(yaml: str, error: str) -> None:
    text = f"name: t\n{yaml}\nnodes: [{{name: a, gpus: {{count: 1, model: Tesla T4}}}}]\n"
    with pytest.raises(ScenarioError, match=error.replace(".", r"\.")):
        loads(text)


def test_final_stage_env_of_a_dockerfile(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text('FROM a AS build\nENV NVIDIA_VISIBLE_DEVICES=void\nFROM b\n# comment\n'
                          'ENV NVIDIA_VISIBLE_DEVICES=all \\\n    NVIDIA_DRIVER_CAPABILITIES="compute,utility"\n'
                          "ENV LEGACY form with spaces\n")
    assert final_stage_env(dockerfile) == {"NVIDIA_VISIBLE_DEVICES": "all",
                                           "NVIDIA_DRIVER_CAPABILITIES": "compute,utility",
                                           "LEGACY": "form with spaces"}


def test_containerd_2_injects_cdi_by_default_1_7_only_when_enabled() -> None:
    from gpusim.images.injection import cdi_enabled
    assert NODE.host is not None and NODE.host.runtime.enable_cdi is None
    assert not cdi_enabled(NODE)  # containerd 1.6
    assert cdi_enabled(load("containerd-v3-dropin").node("k8s-node05"))  # containerd 2.0, no enable_cdi key
    assert cdi_enabled(load("crio").node("k8s-node05"))
    assert cdi_enabled(OPERATOR)  # containerd 1.7 with enable_cdi = true
    two = replace(NODE, container_runtime_version="containerd://2.1.0")
    response = allocate((GPU0,), ("cdi-cri",), "p/c")
    failure = inject(two, request("runc", cdi_devices=response.cdi_devices)).failure  # seed has no CDI spec
    assert failure is not None and "unresolvable CDI devices" in failure.message


def test_a_started_host_root_has_what_the_plugin_leaves_there(tmp_path: Path) -> None:
    def started(scenario: str, node: str) -> Path:
        root = tmp_path / scenario / node
        loaded = load(scenario)
        render_started_host_root(loaded, loaded.node(node), root)
        return root / PLUGIN_SPEC.lstrip("/")

    spec = json.loads(started("gpu-operator", "k8s-node05").read_text())
    assert [d["name"] for d in spec["devices"]] == [g.uuid for g in OPERATOR.gpus]
    assert spec["containerEdits"]["hooks"][0]["path"] == "/usr/local/nvidia/toolkit/nvidia-cdi-hook"
    assert not started("cdi-spec-missing", "k8s-node06").exists()
    stale = load("cdi-spec-stale").node("k8s-node06")
    [device] = json.loads(started("cdi-spec-stale", "k8s-node06").read_text())["devices"]
    assert device["name"] == stale_uuid(stale.gpus[0]) != stale.gpus[0].uuid
    assert not started("seed", "k8s-node05").exists()  # envvar strategy, no mount: no spec
    assert (tmp_path / "seed/k8s-node05/etc/os-release").is_file()
