"""Parsers for the version texts a node shows: driver, container toolkit, packages, Kubernetes.

Each parser takes the text exactly as the tool or file gives it and returns the version, or raises
ValueError with one line saying what it expected. Versions compare with ``cuda.version_tuple``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpu_conformance.cuda import version_tuple

__all__ = [
    "DriverGpuLine",
    "at_least",
    "container_runtime",
    "dpkg_versions",
    "driver_from_proc",
    "driver_version",
    "kubernetes_minor",
    "kubernetes_version",
    "nvidia_smi_gpus",
    "release_tuple",
    "rpm_versions",
    "toolkit_version",
    "upstream_version",
]

_DRIVER = re.compile(r"\d+\.\d+(?:\.\d+)?")
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


def driver_version(text: str) -> str:
    """A bare driver version such as /sys/module/nvidia/version holds: ``535.104.05``."""
    value = text.strip()
    if not _DRIVER.fullmatch(value):
        raise ValueError(f"expected a driver version such as 535.104.05, got {value[:60]!r}")
    return value


def driver_from_proc(text: str) -> str:
    """The version in /proc/driver/nvidia/version's first line, proprietary or open module.

    ``NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.135  <date>`` and ``NVRM version: NVIDIA UNIX
    Open Kernel Module for x86_64  580.95.05  Release Build ...``: the first version token after
    "Kernel Module" (the open module puts "for x86_64" in between).
    """
    first = text.splitlines()[0] if text.strip() else ""
    marker = first.find("Kernel Module")
    if marker < 0:
        raise ValueError(f"no 'Kernel Module' in the first line: {first[:80]!r}")
    found = _DRIVER.search(first, marker)
    if found is None:
        raise ValueError(f"no driver version after 'Kernel Module': {first[:80]!r}")
    return found.group(0)


@dataclass(frozen=True)
class DriverGpuLine:
    """One line of ``nvidia-smi --query-gpu=index,uuid,name,driver_version,memory.total``."""

    index: int
    uuid: str
    name: str
    driver_version: str
    memory_mib: int


def nvidia_smi_gpus(text: str) -> tuple[DriverGpuLine, ...]:
    """``--format=csv,noheader,nounits`` lines: ``0, GPU-..., NVIDIA GeForce RTX 4090, 535.104.05, 24564``."""
    rows: list[DriverGpuLine] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        # The name is the only field that may hold a comma: split the fixed fields off both ends.
        head = line.split(",", 2)
        tail = head[-1].rsplit(",", 2) if len(head) == 3 else []
        if len(tail) != 3:
            fields = "index, uuid, name, driver_version, memory.total"
            raise ValueError(f"line {number}: expected {fields}: {line!r}")
        index, uuid, (name, driver, memory) = head[0].strip(), head[1].strip(), (t.strip() for t in tail)
        if not index.isdigit() or not memory.isdigit():
            raise ValueError(f"line {number}: index and memory.total must be integers: {line!r}")
        rows.append(DriverGpuLine(int(index), uuid, name, driver_version(driver), int(memory)))
    if not rows:
        raise ValueError("no GPU lines")
    return tuple(rows)


# (the tool's first-line prefix, the tool it identifies), as the real binaries print them.
_TOOLKIT_LINES = (
    (re.compile(r"NVIDIA Container Toolkit CLI version\s+(\S+)"), "nvidia-ctk"),
    (re.compile(r"NVIDIA Container Runtime Hook version\s+(\S+)"), "nvidia-container-runtime-hook"),
    (re.compile(r"NVIDIA Container Runtime version\s+(\S+)"), "nvidia-container-runtime"),
    (re.compile(r"^cli-version:\s*(\S+)", re.MULTILINE), "nvidia-container-cli"),
)


def toolkit_version(text: str) -> tuple[str, str]:
    """(tool, version) from any toolkit binary's version output, e.g. ``("nvidia-ctk", "1.17.8")``."""
    for pattern, tool in _TOOLKIT_LINES:
        found = pattern.search(text)
        if found:
            release_tuple(found.group(1))
            return tool, found.group(1)
    first = text.strip().splitlines()[0] if text.strip() else ""
    raise ValueError(f"not a NVIDIA Container Toolkit version text: {first[:80]!r}")


def release_tuple(version: str) -> tuple[int, ...]:
    """The numeric release of a version: ``1.17.0~rc.1`` -> (1, 17, 0), ``2:1.14.3-1`` -> (1, 14, 3)."""
    found = _RELEASE.match(version.split(":", 1)[-1])
    if found is None:
        raise ValueError(f"expected a version such as 1.14.3, got {version[:40]!r}")
    return version_tuple(found.group(0))


def at_least(version: str, minimum: str) -> bool:
    """``at_least("535.104.05", "384.81")``: compares numeric releases as tuples of ints."""
    return release_tuple(version) >= release_tuple(minimum)


def upstream_version(package_version: str) -> str:
    """A package's upstream version: ``1.14.3-1`` -> ``1.14.3``, ``1:2.14.0-1`` -> ``2.14.0``."""
    without_epoch = package_version.split(":", 1)[-1]
    return without_epoch.rsplit("-", 1)[0] if "-" in without_epoch else without_epoch


def dpkg_versions(status: str) -> dict[str, str]:
    """package -> version for the installed packages of a /var/lib/dpkg/status database."""
    installed: dict[str, str] = {}
    for stanza in re.split(r"\n\s*\n", status):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if line and not line[0].isspace() and ":" in line:
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
        if "Package" in fields and "Version" in fields and fields.get("Status", "").endswith(" installed"):
            installed[fields["Package"]] = fields["Version"]
    return installed


_RPM_ARCHES = ("x86_64", "aarch64", "ppc64le", "noarch", "i686", "s390x")


def rpm_versions(text: str) -> dict[str, str]:
    """package -> version-release from ``rpm -q`` lines (``nvidia-container-toolkit-1.14.3-1.x86_64``).

    ``package nvidia-docker2 is not installed`` lines are skipped.
    """
    installed: dict[str, str] = {}
    for line in text.splitlines():
        nevra = line.strip()
        if not nevra or " " in nevra:
            continue
        stem, dot, arch = nevra.rpartition(".")
        if dot and arch in _RPM_ARCHES:
            nevra = stem
        parts = nevra.rsplit("-", 2)
        if len(parts) != 3:
            raise ValueError(f"not a name-version-release: {line.strip()!r}")
        installed[parts[0]] = f"{parts[1]}-{parts[2]}"
    return installed


_KUBERNETES = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?")


def kubernetes_version(git_version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of ``v1.28.3-eks-4f4795d``, ``v1.30.4+k3s1``, ``v1.27.8-gke.1067004``."""
    found = _KUBERNETES.fullmatch(git_version.strip())
    if found is None:
        raise ValueError(f"expected a Kubernetes version such as v1.28.3, got {git_version[:60]!r}")
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def kubernetes_minor(major: str, minor: str) -> tuple[int, int]:
    """/version's ``major``/``minor`` strings; vendors append ``+`` (``"28+"`` on EKS and GKE)."""
    try:
        return int(major.rstrip("+")), int(minor.rstrip("+"))
    except ValueError:
        raise ValueError(f"expected /version major and minor numbers, got {major!r} and {minor!r}") from None


_RUNTIME_SCHEMES = {"containerd": "containerd", "docker": "docker", "cri-o": "cri-o"}


def container_runtime(text: str) -> tuple[str, str | None]:
    """(kind, version) of ``containerd://1.7.11-k3s2`` (nodeInfo.containerRuntimeVersion) or a bare kind."""
    scheme, sep, version = text.strip().partition("://")
    kind = _RUNTIME_SCHEMES.get(scheme.lower())
    if kind is None:
        raise ValueError(f"expected containerd, docker or cri-o (optionally with ://VERSION), got {text!r}")
    return kind, (version or None) if sep else None
