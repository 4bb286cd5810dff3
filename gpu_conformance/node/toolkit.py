"""The NVIDIA Container Toolkit's version: from its binaries, else from the package database.

Each binary is the host's own, executed directly. The first that answers gives the version, and
its source names the tool; every attempt is kept for the report.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from gpu_conformance.facts.node import Observed
from gpu_conformance.node.hostfs import HostRoot, excerpt, first_line, run_command
from gpu_conformance.node.versions import dpkg_versions, rpm_versions, toolkit_version, upstream_version

# (binary, version flag), preferred first. nvidia-container-toolkit is the hook under its package name.
TOOLS = (
    ("nvidia-ctk", "--version"),
    ("nvidia-container-cli", "--version"),
    ("nvidia-container-runtime", "--version"),
    ("nvidia-container-runtime-hook", "-version"),
    ("nvidia-container-toolkit", "-version"),
)
# Package installs put them in /usr/bin; the GPU Operator in /usr/local/nvidia/toolkit.
TOOL_DIRS = ("/usr/bin", "/usr/local/bin", "/usr/local/nvidia/toolkit")
TOOLKIT_PACKAGES = ("nvidia-container-toolkit", "nvidia-container-toolkit-base", "libnvidia-container-tools")
NVIDIA_DOCKER2 = "nvidia-docker2"
DPKG_STATUS = "/var/lib/dpkg/status"
RPM_DB = "/var/lib/rpm"


@dataclass(frozen=True)
class ToolkitFacts:
    toolkit: Observed[str]
    reads: tuple[Observed[str], ...]
    nvidia_docker2: Observed[str]


def _tool_version(host: HostRoot, binary: str, flag: str) -> Observed[str] | None:
    """The tool's answer, or None when the binary is in none of the tool directories."""
    folder = next((d for d in TOOL_DIRS if host.path(f"{d}/{binary}").exists()), None)
    if folder is None:
        return None
    result = host.run(f"{folder}/{binary}", flag)
    raw = excerpt(result.stdout.strip()) if result.stdout else None
    if result.error is not None or result.stdout is None:
        return Observed.missing(result.shown, result.error or "no output", raw)
    try:
        _, version = toolkit_version(result.stdout)
    except ValueError as exc:
        return Observed.missing(result.shown, str(exc), raw)
    return Observed(version, result.shown, excerpt=raw)


def _packages(host: HostRoot) -> tuple[dict[str, str] | None, Observed[str]]:
    """(package -> version, how it was read) from dpkg's status file or the rpm database."""
    if host.exists(DPKG_STATUS):
        shown = host.shown(DPKG_STATUS)
        text, error = host.read(DPKG_STATUS)
        if text is None:
            return None, Observed.missing(shown, error or "unreadable")
        return dpkg_versions(text), Observed(None, shown)
    if host.exists(RPM_DB):
        return _rpm_packages(host)
    where = f"{host.shown(DPKG_STATUS)} or {host.shown(RPM_DB)}"
    return None, Observed.missing(where, "no package database")


def _rpm_packages(host: HostRoot) -> tuple[dict[str, str] | None, Observed[str]]:
    rpm = shutil.which("rpm")
    query = (*TOOLKIT_PACKAGES, NVIDIA_DOCKER2)
    shown = f"rpm --root {host.root} -q {' '.join(query)}"
    if rpm is None:
        return None, Observed.missing(shown, "no rpm command to read the rpm database with")
    result = run_command([rpm, "--root", str(host.root), "-q", *query])
    if result.stdout is None:
        return None, Observed.missing(shown, result.error or "no output")
    try:
        # rpm exits non-zero when any package is missing; the installed ones are still listed.
        return rpm_versions(result.stdout), Observed(None, shown, excerpt=excerpt(result.stdout.strip()))
    except ValueError as exc:
        return None, Observed.missing(shown, str(exc), excerpt(first_line(result.stdout)))


def _package_fact(packages: dict[str, str] | None, read: Observed[str],
                  names: tuple[str, ...]) -> Observed[str]:
    if packages is None:
        return Observed.missing(read.source, read.error or "unreadable", read.excerpt)
    for name in names:
        if name in packages:
            return Observed(upstream_version(packages[name]), f"{read.source} ({name} {packages[name]})")
    return Observed.missing(read.source, f"{' / '.join(names)} not installed")


def collect(host: HostRoot) -> ToolkitFacts:
    tools = [read for binary, flag in TOOLS if (read := _tool_version(host, binary, flag)) is not None]
    packages, db = _packages(host)
    reads = (*tools, _package_fact(packages, db, TOOLKIT_PACKAGES))
    best = next((read for read in reads if read.ok), None)
    if best is None:
        tried = "; ".join(f"{read.source}: {read.error}" for read in reads)
        what = "no toolkit binary answered" if tools else "no toolkit binary found"
        where = ", ".join(host.shown(d) for d in TOOL_DIRS)
        best = Observed.missing(where, f"{what} and no package ({tried})")
    return ToolkitFacts(best, reads, _package_fact(packages, db, (NVIDIA_DOCKER2,)))
