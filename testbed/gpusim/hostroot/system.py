"""What a node's operating system looks like from its os_image: /etc/os-release and the compiler
the kernel modules were built with (the ``GCC version:`` line of /proc/driver/nvidia/version)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gpusim.hostroot.files import HostFiles
from gpusim.model import NodeSpec


@dataclass(frozen=True)
class OsRelease:
    os_id: str
    name: str
    version_id: str
    id_like: str
    codename: str
    gcc: str  # "gcc version ..." as the kernel reports its compiler

    @property
    def uses_dpkg(self) -> bool:
        return self.os_id in ("ubuntu", "debian")


_UBUNTU = {
    "20.04": ("focal", "gcc version 9.4.0 (Ubuntu 9.4.0-1ubuntu1~20.04.2) "),
    "22.04": ("jammy", "gcc version 11.4.0 (Ubuntu 11.4.0-1ubuntu1~22.04) "),
    "24.04": ("noble", "gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04) "),
}
_KNOWN = (  # (os_image prefix, ID, NAME, ID_LIKE, gcc line)
    (
        "CentOS Linux",
        "centos",
        "CentOS Linux",
        "rhel fedora",
        "gcc version 4.8.5 20150623 (Red Hat 4.8.5-44) (GCC) ",
    ),
    (
        "Rocky Linux",
        "rocky",
        "Rocky Linux",
        "rhel centos fedora",
        "gcc version 11.4.1 20230605 (Red Hat 11.4.1-2) (GCC) ",
    ),
    (
        "Red Hat Enterprise Linux",
        "rhel",
        "Red Hat Enterprise Linux",
        "fedora",
        "gcc version 11.4.1 20230605 (Red Hat 11.4.1-2) (GCC) ",
    ),
    (
        "Amazon Linux",
        "amzn",
        "Amazon Linux",
        "centos rhel fedora",
        "gcc version 7.3.1 20180712 (Red Hat 7.3.1-17) (GCC) ",
    ),
    ("Debian GNU/Linux", "debian", "Debian GNU/Linux", "", "gcc version 12.2.0 (Debian 12.2.0-14) "),
)
_VERSION = re.compile(r"\d+(\.\d+)?")


def os_release(os_image: str) -> OsRelease:
    found = _VERSION.search(os_image)
    version = found.group(0) if found else ""
    if os_image.startswith("Ubuntu"):
        codename, gcc = _UBUNTU.get(version, ("", "gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04) "))
        return OsRelease("ubuntu", "Ubuntu", version, "debian", codename, gcc)
    for prefix, os_id, name, like, gcc in _KNOWN:
        if os_image.startswith(prefix):
            return OsRelease(os_id, name, version, like, "", gcc)
    return OsRelease("linux", os_image.split(" ")[0], version, "", "", "gcc version 12.2.0 (GCC) ")


def render_system(files: HostFiles, node: NodeSpec) -> None:
    release = os_release(node.os_image)
    lines = [f'NAME="{release.name}"', f'VERSION_ID="{release.version_id}"', f"ID={release.os_id}"]
    if release.id_like:
        lines.append(
            f'ID_LIKE="{release.id_like}"' if " " in release.id_like else f"ID_LIKE={release.id_like}"
        )
    lines.append(f'PRETTY_NAME="{node.os_image}"')
    if release.codename:
        lines += [f"VERSION_CODENAME={release.codename}", f"UBUNTU_CODENAME={release.codename}"]
    files.write("/etc/os-release", "\n".join(lines) + "\n")
    files.write("/etc/hostname", node.name + "\n")
