"""``--gpu-request`` on a simulated cluster: the checks of the way not in use are deselected (never skipped), and
the run says once what it chose and why. The seed cluster serves no resource.k8s.io: auto chooses the device
plugin; ``--gpu-request dra`` forces DRA there, and DRA-API names what is missing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.testing import running

from tests.suite.suite_runner import ROOT

pytestmark = pytest.mark.e2e
# The cluster-wide, read-only checks of both ways (no probe pod, no Job).
MODULES = ("conformance/test_device_plugin.py", "conformance/test_capacity.py", "conformance/test_dra.py")


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with running("seed", tmp_path_factory.mktemp("seed")) as cluster:
        yield cluster.kubeconfig


def _suite(kubeconfig: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", *MODULES, "--kubeconfig", str(kubeconfig), "-p", "no:cacheprovider",
               "-p", "no:randomly", "-m", "cluster", "-rA", "--summary-dir", str(tmp_path), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


def test_auto_on_a_device_plugin_cluster_deselects_the_dra_checks(kubeconfig: Path, tmp_path: Path) -> None:
    done = _suite(kubeconfig, tmp_path)
    assert done.returncode == 0, done.stdout
    assert "conformance/test_dra.py::" not in done.stdout and "deselected" in done.stdout  # -rA lists every item run
    assert "PASSED conformance/test_device_plugin.py::test_device_plugin_deployed" in done.stdout
    assert ("gpu-conformance: --gpu-request auto: device-plugin (resource.k8s.io is not served; 2 nodes advertise "
            "nvidia.com/gpu or MIG/shared GPUs): the DRA checks are not run") in done.stdout
    assert done.stdout.count("--gpu-request auto") == 1


def test_dra_forced_on_a_cluster_without_it(kubeconfig: Path, tmp_path: Path) -> None:
    done = _suite(kubeconfig, tmp_path, "--gpu-request", "dra")
    assert done.returncode == 1, done.stdout
    assert "conformance/test_device_plugin.py::" not in done.stdout and "deselected" in done.stdout
    assert ("[DRA-API] found no resource.k8s.io at GET /apis/resource.k8s.io (API discovery), expected "
            "resource.k8s.io in v1, v1beta2, v1beta1") in done.stdout
    assert "PASSED conformance/test_capacity.py::test_cluster_has_gpu_nodes" in done.stdout
    assert ("gpu-conformance: --gpu-request dra: dra (chosen by --gpu-request dra): the device plugin's checks are "
            "not run") in done.stdout
