"""The package database trace a toolkit install leaves on Debian and Ubuntu: /var/lib/dpkg/status.

Only written for dpkg-based images and only for a toolkit installed from packages (binaries under
/usr/bin); the GPU Operator's toolkit container leaves no package behind.
"""

from __future__ import annotations

from gpusim.cuda import version_tuple
from gpusim.model import Toolkit

_MAINTAINER = "NVIDIA CORPORATION <cudatools@nvidia.com>"
_BASE_PACKAGE_SINCE = (1, 11)  # nvidia-container-toolkit-base split out in 1.11


def stanza(package: str, version: str, depends: str, description: str, section: str = "utils") -> str:
    fields = [
        f"Package: {package}",
        "Status: install ok installed",
        "Priority: optional",
        f"Section: {section}",
        f"Maintainer: {_MAINTAINER}",
        "Architecture: amd64",
        f"Version: {version}",
    ]
    if depends:
        fields.append(f"Depends: {depends}")
    fields += [f"Description: {description}"]
    return "\n".join(fields) + "\n"


def dpkg_status(toolkit: Toolkit) -> str | None:
    """Stanzas for the toolkit's packages, or None when nothing was installed from packages."""
    if toolkit.version is None or not toolkit.binaries or toolkit.prefix != "/usr/bin":
        return None
    version = f"{toolkit.version}-1"
    release = version_tuple(toolkit.version.split("-")[0].split("~")[0])[:2]
    stanzas = [
        stanza(
            "libnvidia-container1",
            version,
            "libc6 (>= 2.7)",
            "NVIDIA container runtime library",
            section="libs",
        ),
        stanza(
            "libnvidia-container-tools",
            version,
            f"libnvidia-container1 (>= {version})",
            "NVIDIA container runtime library (command-line tools)",
        ),
    ]
    toolkit_depends = f"libnvidia-container-tools (>= {version}), libnvidia-container-tools (<< 2.0.0)"
    if release >= _BASE_PACKAGE_SINCE:
        stanzas.append(stanza("nvidia-container-toolkit-base", version, "", "NVIDIA Container Toolkit Base"))
        toolkit_depends = f"nvidia-container-toolkit-base (= {version}), {toolkit_depends}"
    stanzas.append(stanza("nvidia-container-toolkit", version, toolkit_depends, "NVIDIA Container toolkit"))
    if toolkit.nvidia_docker2 is not None:
        stanzas.append(
            stanza(
                "nvidia-docker2",
                f"{toolkit.nvidia_docker2}-1",
                f"nvidia-container-toolkit (>= {version}), docker-ce (>= 18.06.0~ce~3-0~ubuntu)",
                "NVIDIA Container Toolkit meta-package",
            )
        )
    return "\n".join(stanzas)
