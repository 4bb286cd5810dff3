"""A GPU node's ``host:`` section: driver, container toolkit, runtime configuration, extra files."""

from __future__ import annotations

import re
from typing import cast

from gpusim.cuda import version_tuple
from gpusim.model import (
    AfterPluginStart,
    CdiSetup,
    CdiSpecState,
    HostState,
    KernelModule,
    RuntimeKind,
    RuntimeLayout,
    RuntimeSetup,
    Toolkit,
    ToolkitMode,
)
from gpusim.scenario_fabric import parse_fabric
from gpusim.scenario_yaml import Fields, Value

HOST_FIELDS = ("driver", "kernelModule", "cudaDriverVersion", "toolkit", "runtime", "files", "cdi",
               "afterPluginStart", "fabric", "devCharSymlinks", "daemonReloadAfterSeconds")
TOOLKIT_FIELDS = ("version", "binaries", "nvidiaDocker2", "prefix", "acceptEnvvarWhenUnprivileged",
                  "acceptVolumeMounts", "mode", "cdiDefaultKind", "managementSpec")
AFTER_PLUGIN_START_FIELDS = ("removeFiles", "gpusReplaced")
_CDI_KIND = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?/[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9])?")
CDI_FIELDS = ("path", "state")
CDI_STATES = ("current", "missing", "stale", "missing-gpu")
CDI_SPEC_DIRS = ("/etc/cdi", "/var/run/cdi")  # the toolkit's and containerd's default spec-dirs
TOOLKIT_MODES = ("auto", "legacy", "cdi")
RUNTIME_FIELDS = ("layout", "configVersion", "defaultRuntime", "handlers", "nvidiaBinary", "enableCdi",
                  "systemdCgroup")
KERNEL_MODULES = ("proprietary", "open")
LAYOUTS = ("standard", "dropin", "k3s", "rke2")
TOOLKIT_BINARIES = Toolkit(version=None).binaries
HEALTHY_DRIVER = "535.104.05"
HEALTHY_TOOLKIT = "1.14.3"
DROPIN_HANDLERS = ("nvidia", "nvidia-cdi", "nvidia-legacy")
BUILTIN_RUNTIMES = ("runc", "crun")
LEGACY_DOCKER2_FIRST, LEGACY_DOCKER2_END = (2, 0), (2, 2)  # nvidia-docker2 releases before nvidia-container-toolkit

DRIVER_VERSION = re.compile(r"\d+\.\d+(\.\d+)?")
TOOLKIT_VERSION = re.compile(r"\d+\.\d+\.\d+([-~][0-9A-Za-z.]+)?")
_RUNTIME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NVIDIA_CTK_SINCE = (1, 10)  # nvidia-ctk first shipped with toolkit 1.10
_OPEN_MODULE_SINCE = (515,)  # the open GPU kernel modules start with R515


def parse_host(value: Value | None, runtime_kind: RuntimeKind, runtime_version: str) -> HostState:
    """The host as declared; an absent section is a healthy host (driver, toolkit, nvidia default)."""
    if value is None:
        return HostState(
            driver_version=HEALTHY_DRIVER,
            toolkit=default_toolkit(HEALTHY_TOOLKIT),
            runtime=default_runtime(runtime_kind, runtime_version),
        )
    fields = value.mapping(HOST_FIELDS)
    driver_value = fields.get("driver")
    driver = HEALTHY_DRIVER if driver_value is None else _driver(driver_value)
    module = cast(KernelModule, fields.choice("kernelModule", KERNEL_MODULES, "proprietary"))
    if module == "open" and driver is not None and version_tuple(driver) < _OPEN_MODULE_SINCE:
        raise fields.require("kernelModule").error(
            f"the open kernel module exists from driver 515 on; driver is {driver}"
        )
    cuda = fields.read("cudaDriverVersion", lambda v: v.integer(minimum=1000), None)
    toolkit = fields.read("toolkit", _toolkit, default_toolkit(HEALTHY_TOOLKIT))
    runtime = fields.read(
        "runtime",
        lambda v: _runtime(v, runtime_kind, runtime_version),
        default_runtime(runtime_kind, runtime_version),
    )
    files: tuple[tuple[str, str], ...] = fields.read("files", _files, ())
    cdi = fields.read("cdi", _cdi, None)
    after = fields.read("afterPluginStart", _after_plugin_start, AfterPluginStart())
    fabric = fields.read("fabric", parse_fabric, None)
    dev_char = fields.read("devCharSymlinks", Value.boolean, False)
    reload_after = fields.read("daemonReloadAfterSeconds", lambda v: v.number(minimum=0.0), None)
    return HostState(
        driver_version=driver,
        kernel_module=module,
        cuda_driver_version=cuda,
        toolkit=toolkit,
        runtime=runtime,
        files=files,
        cdi=cdi,
        after_plugin_start=after,
        fabric=fabric,
        dev_char_symlinks=dev_char,
        daemon_reload_after=reload_after,
    )


def _cdi_kind(value: Value) -> str:
    return value.matching(_CDI_KIND, 'a CDI kind like "nvidia.com/gpu"')


def _after_plugin_start(value: Value) -> AfterPluginStart:
    """``afterPluginStart: {removeFiles: [/var/run/cdi/k8s.device-plugin.nvidia.com-gpu.json], gpusReplaced:
    true}``: what changes once the node's first device plugin has started."""
    if value.is_null:
        return AfterPluginStart()
    fields = value.mapping(AFTER_PLUGIN_START_FIELDS)
    removed: tuple[str, ...] = fields.read("removeFiles", lambda v: v.strings(_absolute_path), ())
    return AfterPluginStart(removed_files=tuple(removed),
                            gpus_replaced=fields.read("gpusReplaced", Value.boolean, False))


def _cdi(value: Value) -> CdiSetup | None:
    """``cdi: {path: /var/run/cdi/nvidia.yaml, state: stale}``; null: no spec declared."""
    if value.is_null:
        return None
    fields = value.mapping(CDI_FIELDS)
    path = fields.read("path", _absolute_path, CdiSetup().path)
    if not any(path.startswith(folder + "/") for folder in CDI_SPEC_DIRS) or not path.endswith(
            (".yaml", ".json")):
        raise fields.require("path").error(
            f"a CDI spec is read from {' or '.join(CDI_SPEC_DIRS)} as *.yaml or *.json; got {path}")
    state = cast(CdiSpecState, fields.choice("state", CDI_STATES, "current"))
    return CdiSetup(path=path, state=state)


def _driver(value: Value) -> str | None:
    if value.is_null:
        return None
    return value.matching(DRIVER_VERSION, 'a driver version like "535.104.05", or null for no driver')


def default_toolkit(version: str) -> Toolkit:
    """A toolkit install as its packages lay it out: no nvidia-ctk before 1.10."""
    binaries = TOOLKIT_BINARIES
    if version_tuple(version.split("-")[0].split("~")[0])[:2] < _NVIDIA_CTK_SINCE:
        binaries = tuple(b for b in binaries if b != "nvidia-ctk")
    return Toolkit(version=version, binaries=binaries)


def _toolkit(value: Value) -> Toolkit:
    if value.is_null:
        return Toolkit(version=None, binaries=())
    fields = value.mapping(TOOLKIT_FIELDS)
    version_value = fields.get("version")
    if (version_value is None or version_value.is_null) and "nvidiaDocker2" in fields:
        return _nvidia_docker2_only(fields)
    version = fields.require("version").matching(TOOLKIT_VERSION, 'a toolkit version like "1.14.3"')
    toolkit = default_toolkit(version)
    binaries_value = fields.get("binaries")
    if binaries_value is not None:
        toolkit = Toolkit(
            version=version, binaries=binaries_value.strings(lambda item: item.choice(TOOLKIT_BINARIES))
        )
    docker2 = fields.read("nvidiaDocker2", _optional_version, None)
    prefix = fields.read("prefix", _absolute_path, "/usr/bin")
    return Toolkit(
        version=toolkit.version, binaries=toolkit.binaries, nvidia_docker2=docker2, prefix=prefix,
        accept_envvar_unprivileged=fields.read("acceptEnvvarWhenUnprivileged", Value.boolean, True),
        accept_volume_mounts=fields.read("acceptVolumeMounts", Value.boolean, False),
        mode=cast(ToolkitMode, fields.choice("mode", TOOLKIT_MODES, "auto")),
        cdi_default_kind=fields.read("cdiDefaultKind", _cdi_kind, "nvidia.com/gpu"),
        management_spec=fields.read("managementSpec", Value.boolean, False),
    )


def _nvidia_docker2_only(fields: Fields) -> Toolkit:
    """nvidia-docker2 without nvidia-container-toolkit: the 2018-19 stack (runtime and hook packages)."""
    docker2 = fields.require("nvidiaDocker2")
    version = docker2.matching(TOOLKIT_VERSION, 'a version like "2.0.3"')
    if not LEGACY_DOCKER2_FIRST <= version_tuple(version.split("-")[0].split("~")[0]) < LEGACY_DOCKER2_END:
        raise docker2.error(
            f"nvidia-docker2 {version} without nvidia-container-toolkit: only 2.0.x and 2.1.x came without it "
            "(2.2.0 and later depend on it; give toolkit.version too)"
        )
    for key in ("binaries", "prefix", "acceptEnvvarWhenUnprivileged", "acceptVolumeMounts", "mode"):
        if key in fields:
            raise fields.require(key).error(f"{key} describes nvidia-container-toolkit, which is not installed here")
    return Toolkit(version=None, binaries=(), nvidia_docker2=version)


def _optional_version(value: Value) -> str | None:
    return None if value.is_null else value.matching(TOOLKIT_VERSION, 'a version like "2.13.0"')


def default_runtime(kind: RuntimeKind, runtime_version: str) -> RuntimeSetup:
    """nvidia set up as the default runtime, in the layout the runtime's version implies."""
    layout = default_layout(kind, runtime_version)
    return RuntimeSetup(
        kind=kind, layout=layout, config_version=default_config_version(kind, runtime_version)
    )


def default_layout(kind: RuntimeKind, runtime_version: str) -> RuntimeLayout:
    if kind == "containerd" and "-rke2" in runtime_version:
        return "rke2"
    if kind == "containerd" and "-k3s" in runtime_version:
        return "k3s"
    return "standard"


def default_config_version(kind: RuntimeKind, runtime_version: str) -> int | None:
    """containerd 2.x writes config version 3, 1.x version 2; other runtimes have no such key."""
    if kind != "containerd":
        return None
    major = int(runtime_version.split(".", 1)[0])
    return 3 if major >= 2 else 2


def _runtime(value: Value, kind: RuntimeKind, runtime_version: str) -> RuntimeSetup:
    fields = value.mapping(RUNTIME_FIELDS)
    layout = cast(
        RuntimeLayout,
        fields.choice("layout", LAYOUTS, default_layout(kind, runtime_version)),
    )
    if kind != "containerd" and layout != "standard":
        raise fields.require("layout").error(
            f"layout {layout} applies to containerd only; this node runs {kind}"
        )
    config_version = default_config_version(kind, runtime_version)
    version_value = fields.get("configVersion")
    if version_value is not None:
        if kind != "containerd":
            raise version_value.error(f"configVersion applies to containerd only; this node runs {kind}")
        config_version = None if version_value.is_null else version_value.integer(minimum=1, maximum=3)
    if layout == "dropin" and config_version not in (2, 3):
        raise (version_value or value).error("the dropin layout (imports) needs configVersion 2 or 3")
    handlers_value = fields.get("handlers")
    handlers: tuple[str, ...] = DROPIN_HANDLERS if layout == "dropin" else ("nvidia",)
    if handlers_value is not None:
        handlers = handlers_value.strings(lambda item: item.matching(_RUNTIME_NAME, "a runtime name"))
    default_value = fields.get("defaultRuntime")
    default = default_value.matching(_RUNTIME_NAME, "a runtime name") if default_value else "nvidia"
    if default not in (*BUILTIN_RUNTIMES, *handlers):
        where = default_value or value
        raise where.error(
            f'default runtime "{default}" is not defined; '
            f"defined: {', '.join((*BUILTIN_RUNTIMES, *handlers))}"
        )
    binary = fields.read("nvidiaBinary", _absolute_path, RuntimeSetup(kind=kind).nvidia_binary)
    cdi: bool | None = fields.read("enableCdi", Value.boolean, None)
    systemd = fields.read("systemdCgroup", Value.boolean, False)
    if systemd and kind != "containerd":
        raise fields.require("systemdCgroup").error(f"systemdCgroup is containerd's runtime option; this node runs "
                                                    f"{kind}")
    return RuntimeSetup(
        kind=kind,
        layout=layout,
        config_version=config_version,
        default_runtime=default,
        handlers=handlers,
        nvidia_binary=binary,
        enable_cdi=cdi,
        systemd_cgroup=systemd,
    )


def _absolute_path(value: Value) -> str:
    path = value.nonempty("an absolute path")
    if not path.startswith("/"):
        raise value.error(f'expected an absolute path, got "{path}"')
    return path


def _files(value: Value) -> tuple[tuple[str, str], ...]:
    files: list[tuple[str, str]] = []
    for path, content in value.mapping().entries.items():
        if not path.startswith("/") or "/../" in f"{path}/":
            raise content.error("file paths must be absolute, without '..'")
        files.append((path, content.string("the file's content as a string")))
    return tuple(files)
