"""Docker Engine's runtimes from /etc/docker/daemon.json (behind cri-dockerd on Kubernetes nodes).

``{"default-runtime": "nvidia", "runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime",
"runtimeArgs": []}}}``; CDI is ``"features": {"cdi": true}``. Docker's own default runtime is runc.
cri-dockerd hands Docker no RuntimeClass handler, so a Docker node offers none.
"""

from __future__ import annotations

from typing import Any

from gpu_conformance.facts.node import RuntimeConfig, RuntimeEntry
from gpu_conformance.facts.runtime_locations import DOCKER_DAEMON_JSON
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config.files import Texts, bool_value, load_json, table, text_value

DEFAULT_RUNTIME = "runc"


def cgroup_driver(config: dict[str, Any]) -> str | None:
    """``exec-opts: ["native.cgroupdriver=systemd"]``'s driver; None when not set (docker's default then depends on
    the host's cgroup version)."""
    options = config.get("exec-opts")
    for option in options if isinstance(options, list) else ():
        key, _, value = str(option).partition("=")
        if key.strip() == "native.cgroupdriver":
            return value.strip()
    return None


def read(host: HostRoot) -> tuple[RuntimeConfig, Texts]:
    texts = Texts()
    config = load_json(host, DOCKER_DAEMON_JSON, texts)
    systemd = cgroup_driver(config)
    runtimes = tuple(
        RuntimeEntry(name, text_value(runtime, "path"), None, None if systemd is None else systemd == "systemd")
        for name, runtime in table(config, "runtimes").items()
        if isinstance(runtime, dict)
    )
    default = text_value(config, "default-runtime")
    return RuntimeConfig(
        kind="docker",
        default_runtime=default or DEFAULT_RUNTIME,
        default_runtime_from=host.shown(DOCKER_DAEMON_JSON) if default else "built-in default",
        runtimes=runtimes,
        handlers=(),
        enable_cdi=bool_value(table(config, "features"), "cdi"),
        files=texts.shown,
    ), texts
