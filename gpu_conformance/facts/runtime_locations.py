"""Where each container runtime keeps its configuration, as facts name it and fixes point to it."""

from __future__ import annotations

CONTAINERD_CONFIG = "/etc/containerd/config.toml"
CRI_PLUGIN = {1: "cri", 2: "io.containerd.grpc.v1.cri", 3: "io.containerd.cri.v1.runtime"}
CRIO_DROPIN_DIR = "/etc/crio/crio.conf.d"
DOCKER_DAEMON_JSON = "/etc/docker/daemon.json"


def is_rancher_version(containerd_version: str | None) -> bool:
    """k3s and RKE2 embed containerd and say so in its version (``1.7.11-k3s2``)."""
    return containerd_version is not None and "-k3s" in containerd_version
