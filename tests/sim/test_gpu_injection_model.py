"""The injection model alone: the plugin's Allocate answer, the runtime's decision, the host files it reads."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from gpusim.cdi_spec import render_spec, spec_devices, stale_uuid
from gpusim.hostroot.toolkit_config import toolkit_config
from gpusim.images.allocation import allocate
from gpusim.images.dockerfile import final_stage_env
from gpusim.images.injection import ContainerRequest, Injection, inject
from gpusim.model import CdiSetup, NodeSpec, Toolkit
from gpusim.plugin_manifests import plugin_objects
from gpusim.scenario import ScenarioError, load, loads

SEED = load("seed")
NODE = SEED.node("k8s-node05")  # two GPUs, nvidia default, envvar accepted, no CDI
OPERATOR = load("gpu-operator").node("k8s-node05")  # runc default, enable_cdi, mode cdi, spec current
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

def test_containerd_injects_cdi_devices_natively_whatever_the_handler() -> None:
    gpu = OPERATOR.gpus[1]
    response = allocate((gpu,), ("cdi-annotations", "cdi-cri"), "pod/c")
    assert response.envs == {} and response.cdi_devices == (f"nvidia.com/gpu={gpu.uuid}",)
    [(key, value)] = response.annotations.items()
    assert key.startswith("cdi.k8s.io/nvidia-device-plugin_") and value == f"nvidia.com/gpu={gpu.uuid}"
    env = {"NVIDIA_VISIBLE_DEVICES": "all"}
    seen = inject(OPERATOR, request("runc", env, annotations=response.annotations, cdi_devices=response.cdi_devices))
    assert gpus(seen) == [gpu.uuid] and seen.env == {"NVIDIA_VISIBLE_DEVICES": "void"}
    assert seen.device_nodes == tuple(sorted(("nvidia1", "nvidia-modeset", *CONTROL)))
    assert inject(OPERATOR, request("runc", env)) == NOTHING
    only_cri = inject(OPERATOR, request("runc", cdi_devices=response.cdi_devices))
    assert gpus(only_cri) == [gpu.uuid]
    assert OPERATOR.host is not None
    cdi_off = replace(OPERATOR, host=replace(OPERATOR.host, runtime=replace(OPERATOR.host.runtime, enable_cdi=False)))
    assert inject(cdi_off, request("runc", cdi_devices=response.cdi_devices)) == NOTHING


def test_cdi_mode_turns_the_env_var_into_cdi_names() -> None:
    seen = inject(OPERATOR, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "all"}))
    assert gpus(seen) == [g.uuid for g in OPERATOR.gpus]
    assert gpus(inject(OPERATOR, request("nvidia-cdi", {"NVIDIA_VISIBLE_DEVICES": "1"}))) == [OPERATOR.gpus[1].uuid]
    assert inject(OPERATOR, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "void"})) == NOTHING
    legacy = inject(OPERATOR, request("nvidia-legacy", {"NVIDIA_VISIBLE_DEVICES": "all"}))
    assert legacy.device_nodes == tuple(sorted(("nvidia0", "nvidia1", *CONTROL)))


def test_auto_mode_is_cdi_for_fully_qualified_names_only() -> None:
    auto = with_toolkit(OPERATOR, mode="auto")
    qualified = inject(auto, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "nvidia.com/gpu=0"}))
    assert qualified.env == {"NVIDIA_VISIBLE_DEVICES": "void"} and len(qualified.gpus) == 1
    legacy = inject(auto, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "0"}))
    assert legacy.env == {} and len(legacy.gpus) == 1


def test_unresolvable_cdi_devices_fail_as_containerd_and_the_nvidia_runtime_say() -> None:
    assert OPERATOR.host is not None
    stale = replace(OPERATOR, host=replace(OPERATOR.host, cdi=CdiSetup("/var/run/cdi/nvidia.yaml", "stale")))
    name = f"nvidia.com/gpu={OPERATOR.gpus[0].uuid}"
    created = inject(stale, request("runc", cdi_devices=(name,))).failure
    assert created is not None and created.reason == "CreateContainerError"
    assert created.message == f"CDI device injection failed: unresolvable CDI devices {name}"
    assert gpus(inject(stale, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "all"}))) == [g.uuid for g in OPERATOR.gpus]
    missing = replace(OPERATOR, host=replace(OPERATOR.host, cdi=CdiSetup("/var/run/cdi/nvidia.yaml", "missing")))
    started = inject(missing, request("nvidia", {"NVIDIA_VISIBLE_DEVICES": "all"}, privileged=True)).failure
    assert started is not None and started.reason == "RunContainerError"
    assert started.message.endswith(
        "failed to inject CDI devices: unresolvable CDI devices nvidia.com/gpu=all: unknown")


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


def test_cdi_spec_lists_each_gpu_by_index_and_uuid_plus_all() -> None:
    text = render_spec(OPERATOR, "/usr/lib/x86_64-linux-gnu", "/usr/bin/nvidia-cdi-hook")
    assert text is not None and text.startswith("---\ncdiVersion: 0.5.0\ncontainerEdits:\n")
    assert "  - NVIDIA_VISIBLE_DEVICES=void\n" in text and text.endswith("kind: nvidia.com/gpu\n")
    assert '  name: "1"\n' in text and f"  name: {OPERATOR.gpus[1].uuid}\n" in text
    assert "    - path: /dev/nvidia0\n    - path: /dev/nvidia1\n  name: all\n" in text
    assert set(spec_devices(OPERATOR)) == {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=all",
                                           *(f"nvidia.com/gpu={g.uuid}" for g in OPERATOR.gpus)}
    assert OPERATOR.host is not None
    for state, expected in (("missing", set()),
                            ("missing-gpu", {"nvidia.com/gpu=0", f"nvidia.com/gpu={OPERATOR.gpus[0].uuid}",
                                             "nvidia.com/gpu=all"}),
                            ("stale", {"nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=all",
                                       *(f"nvidia.com/gpu={stale_uuid(g)}" for g in OPERATOR.gpus)})):
        drifted = replace(OPERATOR, host=replace(OPERATOR.host, cdi=CdiSetup("/etc/cdi/nvidia.yaml", state)))  # type: ignore[arg-type]
        assert set(spec_devices(drifted)) == expected, state
    assert spec_devices(NODE) == {} and render_spec(NODE, "/usr/lib64", "/usr/bin/nvidia-cdi-hook") is None


@pytest.mark.parametrize(("yaml", "error"), [
    ("devicePlugin: {deviceListStrategy: \"envvar,cdi\"}", 'unknown device list strategy "cdi"'),
    ("defaults: {host: {cdi: {path: /tmp/nvidia.yaml}}}", "a CDI spec is read from /etc/cdi or /var/run/cdi"),
    ("defaults: {host: {cdi: {state: old}}}", "cdi.state"),
    ("defaults: {host: {toolkit: {version: 1.14.3, mode: csv}}}", "toolkit.mode"),
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
