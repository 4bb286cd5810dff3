"""The product as a user installs it: a wheel built from the checkout, in a fresh venv, run from an empty directory.

The wheel must carry the suite and the monitoring assets (setup.py copies them in) and nothing of the
test bed; installed outside any checkout, `gpu-conformance run` finds them and passes the seed cluster,
its probe pods running the installed wheel's own CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from gpusim.images import register_image
from gpusim.images.registered import IMAGES_ENV
from gpusim.testing import StartCluster

from tests.suite.suite_runner import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True, timeout=300, capture_output=True)
    (built,) = out.glob("gpu_conformance-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies, nothing of the checkout."""
    folder = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
    subprocess.run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   timeout=600, capture_output=True)
    return folder


def test_the_wheel_carries_the_suite_and_no_test_bed(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if "gpusim" in n or n.startswith(("tests/", "testbed/"))]
    for needed in ("conftest.py", "pyproject.toml", "conformance/conftest.py", "conformance/plugin/session.py",
                   "fixtures/session.py", "monitoring/rules/gpu-alerts.yml", "monitoring/prometheus/gpu-scrape.yml",
                   "monitoring/grafana/nvidia-gpu-metrics-14574.json"):
        assert f"gpu_conformance/_suite/{needed}" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.split()[1] for line in metadata.splitlines() if line.startswith("Requires-Dist:")
                and "extra ==" not in line]
    assert not {"trustme", "cryptography"} & {r.split(">")[0].split("=")[0] for r in requires}


def test_the_installed_wheel_runs_the_suite_from_an_empty_directory(
        venv: Path, start_cluster: StartCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    command = venv / "bin" / "gpu-conformance"
    monkeypatch.setenv(IMAGES_ENV, os.environ.get(IMAGES_ENV, ""))  # the registration below ends with this test
    register_image("gpu-conformance", "gpu-conformance", [str(command)])
    cluster = start_cluster("hardened")  # seed fails its SEC checks, as the tutorial's setup does
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run([str(command), "run", "--results-dir", "results", "--",
                           "--kubeconfig", str(cluster.kubeconfig), "--pod-timeout", "60"],
                          cwd=empty, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    cases = {str(c.get("name")): c for c in ET.parse(empty / "results" / "junit.xml").getroot().iter("testcase")}
    passed = {name for name, case in cases.items()  # a testcase's properties are no verdict
              if not {e.tag for e in case} & {"failure", "error", "skipped"}}
    broken = {name for name, case in cases.items() if {e.tag for e in case} & {"failure", "error"}}
    # The monitoring assets were found in the package, and the probe pods ran the installed CLI.
    assert {"test_rules_are_valid", "test_driver_version[k8s-node05]", "test_vectoradd_passes[k8s-node06]"} <= passed
    assert not broken
