"""Version parsers on the texts real hosts and tools print (FACTS.md, NVIDIA and Kubernetes sources)."""

from __future__ import annotations

import pytest

from gpu_conformance.node.versions import (
    at_least,
    container_runtime,
    dpkg_versions,
    driver_from_proc,
    driver_version,
    kubernetes_minor,
    kubernetes_version,
    nvidia_smi_gpus,
    release_tuple,
    rpm_versions,
    toolkit_version,
    upstream_version,
)

PROC_FORMS = [
    ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.135  Thu Nov 21 06:47:16 UTC 2024\n"
     "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n", "550.135"),
    ("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.95.05  Release Build  "
     "(dvs-builder@U16-I3-C04-1-1)  Thu Sep 25 00:23:13 UTC 2025\n", "580.95.05"),
    ("NVRM version: NVIDIA UNIX x86_64 Kernel Module  384.81  Sat Sep  2 02:43:11 PDT 2017\n", "384.81"),
    ("NVRM version: NVIDIA UNIX aarch64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n",
     "535.104.05"),
]


@pytest.mark.parametrize(("text", "version"), PROC_FORMS)
def test_proc_version_both_module_forms(text: str, version: str) -> None:
    assert driver_from_proc(text) == version


@pytest.mark.parametrize("text", [
    "", "GCC version:  gcc 12\n", "NVRM version: NVIDIA UNIX x86_64 Kernel Module\n",
])
def test_proc_version_without_a_version_is_an_error(text: str) -> None:
    with pytest.raises(ValueError, match="Kernel Module"):
        driver_from_proc(text)


@pytest.mark.parametrize(("text", "version"), [("535.104.05\n", "535.104.05"), ("384.81", "384.81")])
def test_bare_driver_version(text: str, version: str) -> None:
    assert driver_version(text) == version


@pytest.mark.parametrize("text", ["", "535", "NVIDIA 535.104.05", "535.104.05.1.2"])
def test_bare_driver_version_rejects_other_text(text: str) -> None:
    with pytest.raises(ValueError, match="driver version"):
        driver_version(text)


def test_nvidia_smi_query_lines() -> None:
    text = ("0, GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa, NVIDIA GeForce RTX 4090, 535.104.05, 24564\n"
            "1, GPU-1b77a84d-ea51-9545-0551-a98179d2a5cf, NVIDIA A100-SXM4-80GB, 535.104.05, 81920\n")
    first, second = nvidia_smi_gpus(text)
    assert (first.index, first.uuid, first.name, first.driver_version, first.memory_mib) == (
        0, "GPU-df6e7a7c-7314-46f8-abc4-b88b36dcf3aa", "NVIDIA GeForce RTX 4090", "535.104.05", 24564)
    assert (second.index, second.name, second.memory_mib) == (1, "NVIDIA A100-SXM4-80GB", 81920)


def test_nvidia_smi_name_with_a_comma_survives() -> None:
    (gpu,) = nvidia_smi_gpus("0, GPU-1, Some GPU, Rev 2, 550.54.14, 16384\n")
    assert (gpu.name, gpu.driver_version, gpu.memory_mib) == ("Some GPU, Rev 2", "550.54.14", 16384)


@pytest.mark.parametrize(("text", "message"), [
    ("", "no GPU lines"),
    ("No devices were found\n", "line 1: expected index"),
    ("0, GPU-1, Tesla T4, 535.104.05, [N/A]\n", "must be integers"),
    ("0, GPU-1, Tesla T4, ERR!, 15360\n", "driver version"),
])
def test_nvidia_smi_bad_output(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        nvidia_smi_gpus(text)


TOOLKIT_OUTPUTS = [
    ("NVIDIA Container Toolkit CLI version 1.17.8\ncommit: f202b80a9b9d0db00d9b1d73c0128c8962c55f4d\n",
     ("nvidia-ctk", "1.17.8")),
    ("cli-version: 1.14.3\nlib-version: 1.14.3\nbuild date: 2023-10-19T11:32+00:00\n",
     ("nvidia-container-cli", "1.14.3")),
    ("NVIDIA Container Runtime version 1.14.3\ncommit: d167812ce3a55ec04ae2582eff1654ec812f42e1\n"
     "spec: 1.1.0-rc.2\n\nrunc version 1.1.9\ncommit: v1.1.9-0-gccaecfc\nspec: 1.0.2-dev\n",
     ("nvidia-container-runtime", "1.14.3")),
    ("NVIDIA Container Runtime Hook version 1.14.3\ncommit: d167812ce3a55ec04ae2582eff1654ec812f42e1\n",
     ("nvidia-container-runtime-hook", "1.14.3")),
    ("NVIDIA Container Toolkit CLI version 1.17.0~rc.1\ncommit: 1a2b3c\n", ("nvidia-ctk", "1.17.0~rc.1")),
]


@pytest.mark.parametrize(("text", "expected"), TOOLKIT_OUTPUTS)
def test_toolkit_version_outputs(text: str, expected: tuple[str, str]) -> None:
    assert toolkit_version(text) == expected


@pytest.mark.parametrize("text", [
    "", "runc version 1.1.9\ncommit: v1.1.9\n", "Usage: nvidia-ctk [global options]",
])
def test_toolkit_version_rejects_other_output(text: str) -> None:
    with pytest.raises(ValueError, match="not a NVIDIA Container Toolkit version text"):
        toolkit_version(text)


@pytest.mark.parametrize(("version", "expected"), [
    ("535.104.05", (535, 104, 5)), ("550.107.02", (550, 107, 2)), ("384.81", (384, 81)),
    ("1.17.0~rc.1", (1, 17, 0)), ("1:1.14.3-1", (1, 14, 3)),
])
def test_release_tuple(version: str, expected: tuple[int, ...]) -> None:
    assert release_tuple(version) == expected


@pytest.mark.parametrize(("version", "minimum", "expected"), [
    ("535.104.05", "384.81", True), ("375.26", "384.81", False), ("384.81", "384.81", True),
    ("1.14.3", "1.7.0", True), ("1.6.0", "1.7.0", False), ("1.10.0", "1.9.0", True),
])
def test_at_least_compares_as_int_tuples(version: str, minimum: str, expected: bool) -> None:
    assert at_least(version, minimum) is expected


@pytest.mark.parametrize(("package", "upstream"), [
    ("1.14.3-1", "1.14.3"), ("2.14.0-1", "2.14.0"), ("1:1.14.3-1", "1.14.3"),
    ("1.17.0~rc.1-1", "1.17.0~rc.1"),
    ("1.14.3", "1.14.3"),
])
def test_upstream_version(package: str, upstream: str) -> None:
    assert upstream_version(package) == upstream


DPKG_STATUS = """\
Package: nvidia-container-toolkit
Status: install ok installed
Priority: optional
Section: utils
Maintainer: NVIDIA CORPORATION <cudatools@nvidia.com>
Architecture: amd64
Version: 1.14.3-1
Depends: nvidia-container-toolkit-base (= 1.14.3-1), libnvidia-container-tools (>= 1.14.3-1)
Description: NVIDIA Container toolkit
 Provides tools and utilities to enable GPU support in containers.

Package: nvidia-docker2
Status: deinstall ok config-files
Architecture: all
Version: 2.13.0-1
Description: NVIDIA Container Toolkit meta-package

Package: libc6
Status: install ok installed
Version: 2.35-0ubuntu3.4
"""


def test_dpkg_status_lists_installed_packages_only() -> None:
    assert dpkg_versions(DPKG_STATUS) == {"nvidia-container-toolkit": "1.14.3-1", "libc6": "2.35-0ubuntu3.4"}


def test_rpm_query_lines() -> None:
    text = ("nvidia-container-toolkit-1.14.3-1.x86_64\nnvidia-container-toolkit-base-1.14.3-1.x86_64\n"
            "package nvidia-docker2 is not installed\nlibnvidia-container-tools-1.14.3-1.aarch64\n")
    assert rpm_versions(text) == {"nvidia-container-toolkit": "1.14.3-1",
                                  "nvidia-container-toolkit-base": "1.14.3-1",
                                  "libnvidia-container-tools": "1.14.3-1"}


def test_rpm_query_garbage_is_an_error() -> None:
    with pytest.raises(ValueError, match="name-version-release"):
        rpm_versions("nvidia\n")


@pytest.mark.parametrize(("git_version", "expected"), [
    ("v1.28.3", (1, 28, 3)), ("v1.28.3-eks-4f4795d", (1, 28, 3)), ("v1.30.4+k3s1", (1, 30, 4)),
    ("v1.27.8-gke.1067004", (1, 27, 8)), ("v1.29.0-rc.1", (1, 29, 0)), ("1.10", (1, 10, 0)),
])
def test_kubernetes_git_versions(git_version: str, expected: tuple[int, int, int]) -> None:
    assert kubernetes_version(git_version) == expected


@pytest.mark.parametrize("text", ["", "latest", "v1", "vx.y.z"])
def test_kubernetes_git_version_garbage(text: str) -> None:
    with pytest.raises(ValueError, match="Kubernetes version"):
        kubernetes_version(text)


@pytest.mark.parametrize(("major", "minor", "expected"), [("1", "28", (1, 28)), ("1", "28+", (1, 28))])
def test_kubernetes_version_endpoint_fields(major: str, minor: str, expected: tuple[int, int]) -> None:
    assert kubernetes_minor(major, minor) == expected


def test_kubernetes_version_endpoint_garbage() -> None:
    with pytest.raises(ValueError, match="major and minor"):
        kubernetes_minor("1", "")


@pytest.mark.parametrize(("text", "expected"), [
    ("containerd://1.7.2", ("containerd", "1.7.2")), ("docker://24.0.7", ("docker", "24.0.7")),
    ("cri-o://1.28.1", ("cri-o", "1.28.1")), ("containerd://1.7.11-k3s2", ("containerd", "1.7.11-k3s2")),
    ("containerd", ("containerd", None)), ("cri-o", ("cri-o", None)),
])
def test_container_runtime_versions(text: str, expected: tuple[str, str | None]) -> None:
    assert container_runtime(text) == expected


@pytest.mark.parametrize("text", ["podman", "rkt://1.0", ""])
def test_container_runtime_unknown(text: str) -> None:
    with pytest.raises(ValueError, match="containerd, docker or cri-o"):
        container_runtime(text)
