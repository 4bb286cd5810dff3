"""The container runtime's configuration files rendered from the node's RuntimeSetup."""

from __future__ import annotations

import json
from typing import Any

from gpusim.hostroot.containerd import handler_binary, render_containerd
from gpusim.hostroot.files import HostFiles
from gpusim.model import RuntimeSetup

_CRIO_BASE = """[crio]

[crio.runtime]
default_runtime = "runc"

[crio.runtime.runtimes.runc]
runtime_path = ""
runtime_type = "oci"
runtime_root = "/run/runc"
"""


def docker_daemon_json(setup: RuntimeSetup) -> str:
    """/etc/docker/daemon.json in the tutorial's form; no "default-runtime" when runc stays default."""
    config: dict[str, Any] = {}
    if setup.default_runtime not in ("runc", "crun"):
        config["default-runtime"] = setup.default_runtime
    config["runtimes"] = {h: {"path": handler_binary(setup, h), "runtimeArgs": []} for h in setup.handlers}
    if setup.enable_cdi:
        config["features"] = {"cdi": True}
    return json.dumps(config, indent=4) + "\n"


def crio_dropin(setup: RuntimeSetup) -> str:
    """/etc/crio/crio.conf.d/99-nvidia.toml as nvidia-ctk writes it (go-toml's indentation)."""
    lines = ["[crio]", "", "  [crio.runtime]"]
    if setup.default_runtime not in ("runc", "crun"):
        lines.append(f'    default_runtime = "{setup.default_runtime}"')
    lines += ["", "    [crio.runtime.runtimes]"]
    for handler in setup.handlers:
        lines += [
            "",
            f"      [crio.runtime.runtimes.{handler}]",
            f'        runtime_path = "{handler_binary(setup, handler)}"',
            '        runtime_type = "oci"',
        ]
    return "\n".join(lines) + "\n"


def render_runtime(files: HostFiles, setup: RuntimeSetup) -> None:
    if setup.kind == "docker":
        files.write("/etc/docker/daemon.json", docker_daemon_json(setup))
    elif setup.kind == "cri-o":
        files.write("/etc/crio/crio.conf", _CRIO_BASE)
        files.write("/etc/crio/crio.conf.d/99-nvidia.toml", crio_dropin(setup))
    else:
        render_containerd(files, setup)
