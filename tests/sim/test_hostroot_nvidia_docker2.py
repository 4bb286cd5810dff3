"""A host with nvidia-docker2 from before nvidia-container-toolkit: its binaries and its dpkg database."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from gpusim.hostroot import render_host_root
from gpusim.scenario import load

pytestmark = pytest.mark.e2e  # runs the rendered binaries


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("nvidia-docker2-only")
    render_host_root(load("nvidia-docker2-only").node("k8s-node06"), path)
    return path


def test_dpkg_lists_the_old_stack_and_no_toolkit_package(root: Path) -> None:
    status = (root / "var/lib/dpkg/status").read_text()
    packages = dict(re.findall(r"^Package: (\S+)\n(?:.+\n)*?Version: (\S+)$", status, re.MULTILINE))
    assert packages == {
        "libnvidia-container1": "1.0.0-1", "libnvidia-container-tools": "1.0.0-1",
        "nvidia-container-runtime-hook": "1.4.0-1", "nvidia-container-runtime": "2.0.0+docker18.09.7-3",
        "nvidia-docker2": "2.0.3+docker18.09.7-3",
    }
    assert "Depends: nvidia-container-runtime (= 2.0.0+docker18.09.7-3)" in status


def test_binaries_are_the_old_stacks(root: Path) -> None:
    binaries = sorted(p.name for p in (root / "usr/bin").iterdir())
    assert binaries == ["nvidia-container-cli", "nvidia-container-runtime", "nvidia-container-runtime-hook",
                        "nvidia-docker", "nvidia-smi"]
    version = subprocess.run(["sh", str(root / "usr/bin/nvidia-docker"), "version"], capture_output=True,
                             text=True, timeout=10, check=True)
    assert version.stdout.splitlines()[0] == "NVIDIA Docker: 2.0.3"


def test_the_docker_cluster_keeps_the_toolkit_beside_nvidia_docker2() -> None:
    toolkit = load("nvidia-docker2-only").node("k8s-node05").host
    assert toolkit is not None and (toolkit.toolkit.version, toolkit.toolkit.nvidia_docker2) == ("1.14.3", "2.14.0")
