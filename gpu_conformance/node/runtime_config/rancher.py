"""Where k3s and RKE2 keep their embedded containerd's configuration.

Both generate ``config.toml`` at start from ``config.toml.tmpl`` (the file users edit) under their
agent folder; their containerRuntimeVersion carries ``-k3s`` (``containerd://1.7.11-k3s2``).
"""

from __future__ import annotations

from gpu_conformance.node.hostfs import HostRoot

CONFIGS = {
    "k3s": "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
    "rke2": "/var/lib/rancher/rke2/agent/etc/containerd/config.toml",
}


def present(host: HostRoot) -> list[str]:
    """The k3s/RKE2 configs this host has (generated or only the template), as host paths."""
    return [path for path in CONFIGS.values() if host.exists(path) or host.exists(path + ".tmpl")]
