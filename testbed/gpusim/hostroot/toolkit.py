"""NVIDIA Container Toolkit binaries (/usr/bin, or the GPU Operator's prefix): sh scripts printing real versions.

``nvidia-ctk --version``, ``nvidia-container-cli --version``, ``nvidia-container-runtime --version``
(its own lines, then runc's) and ``nvidia-container-runtime-hook -version``; the package installs
``nvidia-container-toolkit`` as a symlink to the hook. Commit hashes are derived from the version.
"""

from __future__ import annotations

import hashlib
import shlex

from gpusim.cuda import version_tuple
from gpusim.hostroot.files import HostFiles
from gpusim.model import Toolkit

_RUNC = "runc version 1.1.9\ncommit: v1.1.9-0-gccaecfc\nspec: 1.0.2-dev\ngo: go1.20.8\nlibseccomp: 2.5.4"
_CLI_BUILD = (
    "build compiler: x86_64-linux-gnu-gcc-7 7.5.0\n"
    "build platform: x86_64\n"
    "build flags: -D_GNU_SOURCE -D_FORTIFY_SOURCE=2 -DNDEBUG -std=gnu11 -O2 -g -fdata-sections "
    "-ffunction-sections -fplan9-extensions -fstack-protector -fno-strict-aliasing -fvisibility=hidden "
    "-Wall -Wextra -Wcast-align -Wpointer-arith -Wmissing-prototypes -Wnonnull -Wwrite-strings -Wlogical-op "
    "-Wformat=2 -Wmissing-format-attribute -Winit-self -Wshadow -Wstrict-prototypes -Wunreachable-code "
    "-Wconversion -Wsign-conversion -Wno-unknown-warning-option -Wno-format-extra-args "
    "-Wno-gnu-alignof-expression -Wl,-zrelro -Wl,-znow -Wl,-zdefs -Wl,--gc-sections"
)


def commit(version: str, component: str) -> str:
    return hashlib.sha1(f"{component} {version}".encode()).hexdigest()


def runtime_spec_version(version: str) -> str:
    """The OCI runtime-spec version the toolkit's runtime was built against."""
    release = version_tuple(version.split("-")[0].split("~")[0])[:2]
    if release >= (1, 16):
        return "1.2.0"
    return "1.1.0-rc.2" if release >= (1, 14) else "1.0.2-dev"


def version_texts(version: str) -> dict[str, tuple[str, str]]:
    """binary -> (the flag it answers, what it prints) for one toolkit version."""
    return {
        "nvidia-ctk": (
            "--version",
            f"NVIDIA Container Toolkit CLI version {version}\ncommit: {commit(version, 'toolkit')}",
        ),
        "nvidia-container-cli": (
            "--version",
            f"cli-version: {version}\nlib-version: {version}\n"
            f"build date: 2023-10-19T11:32+00:00\n"
            f"build revision: {commit(version, 'libnvidia-container')}\n"
            f"{_CLI_BUILD}",
        ),
        "nvidia-container-runtime": (
            "--version",
            f"NVIDIA Container Runtime version {version}\n"
            f"commit: {commit(version, 'toolkit')}\n"
            f"spec: {runtime_spec_version(version)}\n\n{_RUNC}",
        ),
        "nvidia-container-runtime-hook": (
            "-version",
            f"NVIDIA Container Runtime Hook version {version}\ncommit: {commit(version, 'toolkit')}",
        ),
    }


def version_script(flag: str, text: str) -> str:
    """Prints ``text`` for ``flag`` (``-flag`` and ``--flag`` alike); anything else is not simulated."""
    flags = {flag, "-" + flag.lstrip("-"), "--" + flag.lstrip("-")}
    pattern = "|".join(sorted(flags))
    return (
        "#!/bin/sh\n"
        f"case \"${{1-}}\" in\n  {pattern}) printf '%s\\n' {shlex.quote(text)} ;;\n"
        '  *) echo "$(basename "$0"): only version queries are simulated" >&2; exit 1 ;;\nesac\n'
    )


def render_toolkit(files: HostFiles, toolkit: Toolkit) -> None:
    if toolkit.version is None:
        return
    texts = version_texts(toolkit.version)
    hook_installed = "nvidia-container-runtime-hook" in toolkit.binaries
    for binary in toolkit.binaries:
        path = f"{toolkit.prefix}/{binary}"
        if binary == "nvidia-container-toolkit" and hook_installed:
            files.link(path, "nvidia-container-runtime-hook")
            continue
        flag, text = texts[
            "nvidia-container-runtime-hook" if binary == "nvidia-container-toolkit" else binary
        ]
        files.write(path, version_script(flag, text), executable=True)
