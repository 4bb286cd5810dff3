"""The node's container runtime configuration, effective after imports and drop-ins.

``read(host, kind, version)`` reads the runtime the API reports for the node (kind from
``nodeInfo.containerRuntimeVersion``); ``detect(host)`` guesses the kind from the files when the
caller has no API answer. Unreadable or malformed files are Observed errors naming file and line.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from gpu_conformance.facts.node import Observed, RuntimeConfig
from gpu_conformance.facts.runtime_locations import (
    CONTAINERD_CONFIG,
    CRIO_DROPIN_DIR,
    DOCKER_DAEMON_JSON,
    is_rancher_version,
)
from gpu_conformance.node.hostfs import HostRoot
from gpu_conformance.node.runtime_config import containerd, crio, docker, rancher
from gpu_conformance.node.runtime_config.files import ConfigError, Texts, load_toml, table

__all__ = ["containerd_config_path", "detect", "read"]

Read = tuple[RuntimeConfig, Texts]


def containerd_config_path(host: HostRoot, version: str | None) -> str:
    """The config.toml containerd runs with: k3s/RKE2's own for their builds, else /etc/containerd's."""
    rancher_paths = rancher.present(host)
    candidates = [*rancher_paths, CONTAINERD_CONFIG]
    if not is_rancher_version(version):
        candidates = [CONTAINERD_CONFIG, *rancher_paths]
    return next((p for p in candidates if host.exists(p)), candidates[0])


def _reader(host: HostRoot, kind: str, version: str | None) -> tuple[str, Callable[[], Read]] | None:
    """(what is read, shown as the fact's source; how to read it) for a runtime kind."""
    if kind == "containerd":
        main = containerd_config_path(host, version)
        return host.shown(main), partial(containerd.read, host, main, version)
    if kind == "docker":
        return host.shown(DOCKER_DAEMON_JSON), partial(docker.read, host)
    if kind == "cri-o":
        return f"{host.shown(crio.MAIN)} + {host.shown(CRIO_DROPIN_DIR)}/*", partial(crio.read, host)
    return None


def read(host: HostRoot, kind: str, version: str | None = None) -> Observed[RuntimeConfig]:
    found = _reader(host, kind, version)
    if found is None:
        return Observed.missing("--runtime", f"unknown container runtime {kind!r}")
    source, reader = found
    try:
        config, texts = reader()
    except ConfigError as exc:
        return Observed.missing(source, str(exc), exc.texts.excerpt() if exc.texts else None)
    return Observed(config, source, excerpt=texts.excerpt())


def _cri_disabled(host: HostRoot, path: str) -> bool:
    """Docker's containerd.io package ships a config.toml with ``disabled_plugins = ["cri"]``."""
    try:
        data = load_toml(host, path, Texts())
    except ConfigError:
        return False
    disabled = data.get("disabled_plugins")
    return isinstance(disabled, list) and bool({"cri", "io.containerd.grpc.v1.cri"} & set(disabled)) \
        and not table(data, "plugins")


def detect(host: HostRoot) -> Observed[str]:
    """The runtime kind from the files present, when no containerRuntimeVersion was given."""
    candidates: list[tuple[str, str]] = [("containerd", path) for path in rancher.present(host)]
    if host.exists(crio.MAIN) or host.path(CRIO_DROPIN_DIR).is_dir():
        candidates.append(("cri-o", crio.MAIN if host.exists(crio.MAIN) else CRIO_DROPIN_DIR))
    if host.exists(CONTAINERD_CONFIG) and not _cri_disabled(host, CONTAINERD_CONFIG):
        candidates.append(("containerd", CONTAINERD_CONFIG))
    if host.exists(DOCKER_DAEMON_JSON):
        candidates.append(("docker", DOCKER_DAEMON_JSON))
    if not candidates:
        looked = ", ".join(host.shown(p) for p in (CONTAINERD_CONFIG, crio.MAIN, DOCKER_DAEMON_JSON))
        return Observed.missing("detected from files", f"no container runtime configuration found ({looked})")
    kind, path = candidates[0]
    source = f"detected from {host.shown(path)}"
    if candidates[1:]:
        source += "; also present: " + ", ".join(host.shown(p) for _, p in candidates[1:])
    return Observed(kind, source)
