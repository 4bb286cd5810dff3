"""nvidia-docker2 from before nvidia-container-toolkit existed (2018-19), as its packages leave a host.

nvidia-docker2 2.0.x depended on nvidia-container-runtime 2.0.0 (a runc fork built per Docker
release, hence ``+docker18.09.7``), 2.1.x on nvidia-container-runtime 3.0.0; both runtimes on the
separate nvidia-container-runtime-hook package (1.4.0) and libnvidia-container 1.0. No
``nvidia-container-toolkit`` package or binary: that came with runtime 3.1.0 and nvidia-docker2
2.2.0. ``nvidia-docker`` is the package's wrapper script. Version texts and build metadata are
plausible stand-ins.
"""

from __future__ import annotations

from gpusim.cuda import version_tuple
from gpusim.hostroot.files import HostFiles
from gpusim.hostroot.packages import stanza
from gpusim.hostroot.toolkit import commit, version_script

_DOCKER_BUILD = "docker18.09.7-3"
_DOCKER_CE = "docker-ce (= 5:18.09.7~3-0~ubuntu-bionic)"
_HOOK = "1.4.0"
_LIBRARY = "1.0.0"


def _runtime_package(docker2: str) -> tuple[str, str]:
    """(nvidia-container-runtime's package version, nvidia-docker2's) for an nvidia-docker2 release."""
    if version_tuple(docker2)[:2] < (2, 1):
        return f"2.0.0+{_DOCKER_BUILD}", f"{docker2}+{_DOCKER_BUILD}"
    return "3.0.0-1", f"{docker2}-1"


def legacy_dpkg_status(docker2: str) -> str:
    runtime, wrapper = _runtime_package(docker2)
    library = f"{_LIBRARY}-1"
    runtime_depends = f"nvidia-container-runtime-hook (>= {_HOOK})"
    wrapper_depends = f"nvidia-container-runtime (= {runtime})"
    if runtime.startswith("2."):  # the runc fork matched one Docker release
        runtime_depends += f", {_DOCKER_CE}"
        wrapper_depends += f", {_DOCKER_CE}"
    else:
        wrapper_depends = "nvidia-container-runtime (>= 3.0.0), docker-ce (>= 18.06.0~ce~3-0~ubuntu) | docker-ee"
    return "\n".join((
        stanza("libnvidia-container1", library, "libc6 (>= 2.7)", "NVIDIA container runtime library", "libs"),
        stanza("libnvidia-container-tools", library, f"libnvidia-container1 (>= {library})",
               "NVIDIA container runtime library (command-line tools)"),
        stanza("nvidia-container-runtime-hook", f"{_HOOK}-1",
               "libnvidia-container-tools (>= 0.1.0), libnvidia-container-tools (<< 2.0.0)",
               "NVIDIA container runtime hook"),
        stanza("nvidia-container-runtime", runtime, runtime_depends, "NVIDIA container runtime"),
        stanza("nvidia-docker2", wrapper, wrapper_depends, "nvidia-docker CLI wrapper"),
    ))


def render_nvidia_docker2(files: HostFiles, docker2: str) -> None:
    runtime = _runtime_package(docker2)[0].split("+")[0].split("-")[0]
    texts = {
        "nvidia-docker": ("version", f"NVIDIA Docker: {docker2}"),
        "nvidia-container-runtime": (
            "--version",
            f"runc version 1.0.0-rc6+dev\ncommit: {commit(runtime, 'nvidia-container-runtime')}\nspec: 1.0.1-dev",
        ),
        "nvidia-container-runtime-hook": ("-version", f"NVIDIA Container Runtime Hook version {_HOOK}"),
        "nvidia-container-cli": (
            "--version",
            f"version: {_LIBRARY}\nbuild date: 2019-03-07T20:49+00:00\n"
            f"build revision: {commit(_LIBRARY, 'libnvidia-container')}",
        ),
    }
    for binary, (flag, text) in texts.items():
        files.write(f"/usr/bin/{binary}", version_script(flag, text), executable=True)
