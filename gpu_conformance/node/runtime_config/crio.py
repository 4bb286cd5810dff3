"""CRI-O's runtimes: /etc/crio/crio.conf, then every file under /etc/crio/crio.conf.d.

CRI-O (``Config.UpdateFromPath``) walks the drop-in folder in lexical order, recursively, reading
every regular file whatever its extension; a later file's settings override earlier ones. The
runtime handlers are the ``[crio.runtime.runtimes.NAME]`` tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gpu_conformance.facts.node import RuntimeConfig, RuntimeEntry
from gpu_conformance.facts.runtime_locations import CRIO_DROPIN_DIR
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config.files import (
    ConfigError,
    Texts,
    deep_merge,
    load_toml,
    table,
    text_value,
)

MAIN = "/etc/crio/crio.conf"
DEFAULT_CGROUP_MANAGER = "systemd"  # crio.runtime.cgroup_manager when no file sets it (crio.conf(5))


def _walk(folder: Path) -> list[Path]:
    """Go's filepath.Walk order: entries in lexical order, folders entered where they sort."""
    if not folder.is_dir():
        return []
    found: list[Path] = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        found += _walk(entry) if entry.is_dir() else [entry] if entry.is_file() else []
    return found


def config_files(host: HostRoot) -> list[str]:
    """Host paths in the order CRI-O applies them."""
    main = [MAIN] if host.path(MAIN).is_file() else []
    return main + [host.host_path(p) for p in _walk(host.path(CRIO_DROPIN_DIR))]


def read(host: HostRoot) -> tuple[RuntimeConfig, Texts]:
    texts = Texts()
    files = config_files(host)
    if not files:
        message = f"{host.shown(MAIN)}: no such file, and no files in {host.shown(CRIO_DROPIN_DIR)}"
        raise ConfigError(message, texts)
    merged: dict[str, Any] = {}
    default_from = "built-in default"
    for path in files:
        data = load_toml(host, path, texts)
        if text_value(table(data, "crio", "runtime"), "default_runtime"):
            default_from = host.shown(path)
        merged = deep_merge(merged, data)
    runtime = table(merged, "crio", "runtime")
    systemd = (text_value(runtime, "cgroup_manager") or DEFAULT_CGROUP_MANAGER) == "systemd"  # one for every runtime
    runtimes = tuple(
        RuntimeEntry(name, text_value(entry, "runtime_path"), text_value(entry, "runtime_type"), systemd)
        for name, entry in table(runtime, "runtimes").items()
        if isinstance(entry, dict)
    )
    return RuntimeConfig(
        kind="cri-o",
        default_runtime=text_value(runtime, "default_runtime"),  # unset: CRI-O's version-dependent default
        default_runtime_from=default_from,
        runtimes=runtimes,
        handlers=tuple(r.name for r in runtimes),
        enable_cdi=None,  # CRI-O has no switch: it reads CDI specs whenever they exist
        files=texts.shown,
    ), texts
