"""/etc/nvidia-container-runtime/config.toml as the toolkit package installs it and ``nvidia-ctk config --set``
edits it (NVIDIA/nvidia-container-toolkit internal/config/toml.go; its test's default file, v1.14).

Keys left at the toolkit's default stay commented out, as the package writes them; a key set to anything
else is written uncommented: ``accept-nvidia-visible-devices-envvar-when-unprivileged = false``.
"""

from __future__ import annotations

from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.system import os_release
from gpusim.model import NodeSpec, Toolkit

CONFIG_FILE = "/etc/nvidia-container-runtime/config.toml"


def _key(name: str, value: bool, default: bool) -> str:
    line = f"{name} = {str(value).lower()}"
    return line if value != default else f"#{line}"


def toolkit_config(toolkit: Toolkit, ldconfig: str) -> str:
    """The file's text for this toolkit's settings."""
    lines = [
        _key("accept-nvidia-visible-devices-as-volume-mounts", toolkit.accept_volume_mounts, False),
        _key("accept-nvidia-visible-devices-envvar-when-unprivileged", toolkit.accept_envvar_unprivileged, True),
        "disable-require = false",
        'supported-driver-capabilities = "compat32,compute,display,graphics,ngx,utility,video"',
        '#swarm-resource = "DOCKER_RESOURCE_GPU"',
        "",
        "[nvidia-container-cli]",
        '#debug = "/var/log/nvidia-container-toolkit.log"',
        "environment = []",
        '#ldcache = "/etc/ld.so.cache"',
        f'ldconfig = "{ldconfig}"',
        "load-kmods = true",
        "#no-cgroups = false",
        f'#path = "{toolkit.prefix}/nvidia-container-cli"',
        '#root = "/run/nvidia/driver"',
        '#user = "root:video"',
        "",
        "[nvidia-container-runtime]",
        '#debug = "/var/log/nvidia-container-runtime.log"',
        'log-level = "info"',
        f'mode = "{toolkit.mode}"',
        'runtimes = ["docker-runc", "runc"]',
        "",
        "[nvidia-container-runtime.modes]",
        "",
        "[nvidia-container-runtime.modes.cdi]",
        'annotation-prefixes = ["cdi.k8s.io/"]',
        f'default-kind = "{toolkit.cdi_default_kind}"',
        'spec-dirs = ["/etc/cdi", "/var/run/cdi"]',
        "",
        "[nvidia-container-runtime.modes.csv]",
        'mount-spec-path = "/etc/nvidia-container-runtime/host-files-for-container.d"',
        "",
        "[nvidia-container-runtime-hook]",
        'path = "nvidia-container-runtime-hook"',
        "skip-mode-detection = false",
        "",
        "[nvidia-ctk]",
        'path = "nvidia-ctk"',
    ]
    return "\n".join(lines) + "\n"


def render_toolkit_config(files: HostFiles, node: NodeSpec) -> None:
    """Only where nvidia-container-toolkit is installed (nvidia-docker2 alone brings no such file here)."""
    host = node.host
    if host is None or host.toolkit.version is None:
        return
    ldconfig = "@/sbin/ldconfig.real" if os_release(node.os_image).uses_dpkg else "@/sbin/ldconfig"
    files.write(CONFIG_FILE, toolkit_config(host.toolkit, ldconfig))
