"""containerd's effective CRI runtime settings: config.toml plus its ``imports``, as containerd loads them.

containerd (cmd/containerd/server/config) loads the main file first, then each import in order
(globs expanded, relative paths against the importing file's folder), breadth first, each file once;
later files override earlier ones. containerd 1.x replaces a plugin's whole section when an import
names that plugin (containerd issue 5837); 2.x merges sections key by key (PR 9982).

The CRI plugin's key depends on the config version: none/1 ``cri``, 2 ``io.containerd.grpc.v1.cri``,
3 ``io.containerd.cri.v1.runtime`` (containerd 2.x).
"""

from __future__ import annotations

import glob
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gpu_conformance.facts.node import RuntimeConfig, RuntimeEntry
from gpu_conformance.facts.runtime_locations import CRI_PLUGIN
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config.files import (
    ConfigError,
    Texts,
    bool_value,
    deep_merge,
    load_toml,
    table,
    text_value,
)
from gpu_conformance.node.versions import release_tuple

_V1_LINUX_PLUGIN = {1: "linux", 2: "io.containerd.runtime.v1.linux"}
DEFAULT_RUNTIME = "runc"  # the CRI plugin's default_runtime_name when unset


def config_version(data: dict[str, Any]) -> int:
    """The file's ``version``; containerd treats none (0) as 1."""
    version = data.get("version")
    return version if isinstance(version, int) and version > 0 else 1


def merges_sections(containerd_version: str | None, root_version: int) -> bool:
    """Whether imports merge into plugin sections (containerd 2.x) rather than replace them (1.x)."""
    if containerd_version:
        try:
            return release_tuple(containerd_version)[0] >= 2
        except ValueError:
            pass
    return root_version >= 3  # only containerd 2.x reads version 3 files


def _migrate(data: dict[str, Any], version: int, target: int) -> dict[str, Any]:
    """A drop-in of an older version as containerd 2.x migrates it: renamed CRI plugin keys."""
    plugins = dict(table(data, "plugins"))
    if version < 2 <= target and "cri" in plugins:
        plugins[CRI_PLUGIN[2]] = plugins.pop("cri")
    if version < 3 <= target and CRI_PLUGIN[2] in plugins:
        old = dict(plugins.pop(CRI_PLUGIN[2]))
        moved = {k: old.pop(k) for k in ("containerd", "enable_cdi", "cdi_spec_dirs") if k in old}
        plugins[CRI_PLUGIN[3]] = deep_merge(table(plugins, CRI_PLUGIN[3]), moved)
        plugins["io.containerd.grpc.v1.cri"] = old
    return {**data, "plugins": plugins}


def _resolve_imports(host: HostRoot, parent: str, imports: Any) -> list[str]:
    """Host paths of a file's imports; globs are expanded under the host root, in lexical order."""
    resolved: list[str] = []
    for entry in imports if isinstance(imports, list) else []:
        if not isinstance(entry, str):
            continue
        path = posixpath.normpath(posixpath.join(posixpath.dirname(parent), entry))  # absolute stays
        if "*" in path or "?" in path or "[" in path:
            resolved += sorted(host.host_path(Path(m)) for m in glob.glob(host.shown(path)))
        else:
            resolved.append(path)
    return resolved


@dataclass
class Loaded:
    merged: dict[str, Any] = field(default_factory=dict)
    version: int = 0
    default_from: str | None = None  # the file whose default_runtime_name is in effect


def _sets_default(data: dict[str, Any], version: int) -> bool | None:
    """True/False: the file's CRI section sets the default runtime or not; None: no CRI section."""
    cri = table(data, "plugins").get(CRI_PLUGIN[min(version, 3)])
    if not isinstance(cri, dict):
        return None
    containerd = table(cri, "containerd")
    return "default_runtime_name" in containerd or "default_runtime" in containerd


def load(host: HostRoot, main: str, containerd_version: str | None, texts: Texts) -> Loaded:
    """The merged configuration of ``main`` and everything it imports, in containerd's order."""
    out = Loaded()
    deep = False
    pending, loaded = [main], set()
    while pending:
        path = pending.pop(0)
        if path in loaded:
            continue
        data = load_toml(host, path, texts)
        version = config_version(data)
        if not out.version:
            out.version = version
            deep = merges_sections(containerd_version, version)
        if deep:
            if version > out.version:
                raise ConfigError(f"{host.shown(path)}: drop-in config version {version} higher than root "
                                  f"config version {out.version}", texts)
            data = _migrate(data, version, out.version)
            out.merged = deep_merge(out.merged, data)
        else:
            out.version = version if "version" in data else out.version
            plugins = {**table(out.merged, "plugins"), **table(data, "plugins")}
            out.merged = {**out.merged, **data, "plugins": plugins}
        sets = _sets_default(data, out.version)
        if sets or (sets is False and not deep):  # a 1.x import replacing the section drops the setting
            out.default_from = host.shown(path) if sets else None
        loaded.add(path)
        pending += _resolve_imports(host, path, data.get("imports"))
    return out


def _entry(name: str, runtime: dict[str, Any], v1_linux_binary: str | None) -> RuntimeEntry:
    runtime_type = text_value(runtime, "runtime_type")
    options = table(runtime, "options")
    binary = (text_value(options, "BinaryName") or text_value(options, "Runtime")
              or text_value(runtime, "runtime_engine"))
    if binary is None and runtime_type == "io.containerd.runtime.v1.linux":
        binary = v1_linux_binary
    return RuntimeEntry(name, binary, runtime_type, bool_value(options, "SystemdCgroup"))


def read(host: HostRoot, main: str, containerd_version: str | None) -> tuple[RuntimeConfig, Texts]:
    texts = Texts()
    loaded = load(host, main, containerd_version, texts)
    merged, version = loaded.merged, loaded.version
    cri = table(merged, "plugins", CRI_PLUGIN[min(version, 3)])
    containerd = table(cri, "containerd")
    v1_linux = text_value(table(merged, "plugins", _V1_LINUX_PLUGIN.get(version, "")), "runtime")
    defined = table(containerd, "runtimes").items()
    runtimes = [_entry(name, runtime, v1_linux) for name, runtime in defined if isinstance(runtime, dict)]
    default = text_value(containerd, "default_runtime_name")
    legacy_default = table(containerd, "default_runtime")
    if default is None and text_value(legacy_default, "runtime_type"):
        # containerd 1.x turns the deprecated default_runtime table into a runtime named "default".
        runtimes.append(_entry("default", legacy_default, v1_linux))
        default = "default"
    return RuntimeConfig(
        kind="containerd",
        default_runtime=default or DEFAULT_RUNTIME,
        default_runtime_from=(loaded.default_from if default else None) or "built-in default",
        runtimes=tuple(runtimes),
        handlers=tuple(r.name for r in runtimes),
        enable_cdi=bool_value(cri, "enable_cdi"),
        files=texts.shown,
        config_version=version,
    ), texts
