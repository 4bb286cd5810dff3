"""PRE-TOOLKIT: the toolkit (or nvidia-docker2) as the probe read it; never visible through the API."""

from __future__ import annotations

import pytest

from gpu_conformance.facts.node import Observed
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.node.versions import dpkg_versions, rpm_versions, toolkit_version, upstream_version
from gpu_conformance.requirements.prerequisites import toolkit_at_least
from gpu_conformance.settings import Settings

from .builders import CTK, failed_outcome, missing, outcome, probe

SETTINGS = Settings()
HOOK = "/host/usr/bin/nvidia-container-runtime-hook -version"
DPKG = "/host/var/lib/dpkg/status"
TOOLS_MISSING = ("no toolkit binary found and no package (/host/var/lib/dpkg/status: "
                 "nvidia-container-toolkit / nvidia-container-toolkit-base / libnvidia-container-tools "
                 "not installed)")
EXPECTED = "expected >= 1.7.0 (or nvidia-docker2 >= 2.0)"


def _tool(text: str, source: str) -> Observed[str]:
    return Observed(toolkit_version(text)[1], source, excerpt=text)


@pytest.mark.parametrize(("text", "source", "version"), [
    ("NVIDIA Container Toolkit CLI version 1.17.8\ncommit: 2d9d0f5", CTK, "1.17.8"),
    ("NVIDIA Container Runtime Hook version 1.7.0\ncommit: f8ef7ab", HOOK, "1.7.0"),
    ("cli-version: 1.14.3\nlib-version: 1.14.3\nbuild date: 2023-10-19T11:32+00:00",
     "/host/usr/bin/nvidia-container-cli --version", "1.14.3"),
])
def test_toolkit_new_enough_names_the_tool(text: str, source: str, version: str) -> None:
    verdict = toolkit_at_least(outcome(probe(toolkit=_tool(text, source))), SETTINGS)
    assert (verdict.ok, verdict.message) == (True, f"found nvidia-container-toolkit {version} at {source}")


def test_toolkit_too_old_fails_with_upgrade_commands() -> None:
    old = _tool("NVIDIA Container Runtime Hook version 1.6.0", HOOK)
    verdict = toolkit_at_least(outcome(probe(toolkit=old)), SETTINGS)
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[PRE-TOOLKIT] found nvidia-container-toolkit 1.6.0 at {HOOK}, {EXPECTED}; "
        "fix: upgrade it: install nvidia-container-toolkit on the node: RHEL/CentOS")
    assert "yum install -y nvidia-container-toolkit" in verdict.message


def test_package_database_versions() -> None:
    status = ("Package: nvidia-container-toolkit\nStatus: install ok installed\nVersion: 1.14.3-1\n\n"
              "Package: nvidia-docker2\nStatus: install ok installed\nVersion: 2.13.0-1\n")
    installed = dpkg_versions(status)
    toolkit = Observed(upstream_version(installed["nvidia-container-toolkit"]),
                       f"{DPKG} (nvidia-container-toolkit 1.14.3-1)")
    verdict = toolkit_at_least(outcome(probe(toolkit=toolkit)), SETTINGS)
    assert verdict.message == f"found nvidia-container-toolkit 1.14.3 at {toolkit.source}"
    assert toolkit.source.endswith("status (nvidia-container-toolkit 1.14.3-1)")


def test_nvidia_docker2_is_accepted_instead() -> None:
    rpm = rpm_versions("nvidia-docker2-2.5.0-1.noarch\npackage nvidia-container-toolkit is not installed\n")
    source = "rpm --root /host -q nvidia-container-toolkit nvidia-docker2 (nvidia-docker2 2.5.0-1)"
    docker2 = Observed(upstream_version(rpm["nvidia-docker2"]), source)
    verdict = toolkit_at_least(outcome(probe(toolkit=missing("/host/usr/bin", TOOLS_MISSING),
                                             nvidia_docker2=docker2)), SETTINGS)
    assert (verdict.ok, verdict.message) == (True, f"found nvidia-docker2 2.5.0 at {source}")


def test_nvidia_docker2_too_old_and_no_toolkit() -> None:
    docker2 = Observed("1.0.1", f"{DPKG} (nvidia-docker2 1.0.1-1)")
    verdict = toolkit_at_least(outcome(probe(toolkit=missing("/host/usr/bin", TOOLS_MISSING),
                                             nvidia_docker2=docker2)), SETTINGS)
    assert verdict.message.startswith(
        f"[PRE-TOOLKIT] found nvidia-docker2 1.0.1 and no nvidia-container-toolkit ({TOOLS_MISSING}) at "
        f"{DPKG} (nvidia-docker2 1.0.1-1), {EXPECTED}; fix: install nvidia-container-toolkit")


def test_missing_toolkit_fails_with_install_commands() -> None:
    where = "/host/usr/bin, /host/usr/local/bin, /host/usr/local/nvidia/toolkit"
    verdict = toolkit_at_least(outcome(probe(toolkit=missing(where, TOOLS_MISSING))), SETTINGS)
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[PRE-TOOLKIT] found no NVIDIA Container Toolkit ({TOOLS_MISSING}) at {where}, {EXPECTED}; "
        "fix: install nvidia-container-toolkit on the node")
    repo = "https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo"
    assert f"curl -s -L {repo}" in verdict.message
    assert "sudo apt-get install -y nvidia-container-toolkit" in verdict.message


def test_floors_are_settings() -> None:
    assert not toolkit_at_least(outcome(probe()), Settings(min_toolkit="1.15")).ok  # probe() has 1.14.3
    tegra = Settings(min_toolkit="1.11.0")
    assert toolkit_at_least(outcome(probe()), tegra).ok


def test_without_a_probe_it_is_unavailable() -> None:
    expected = (r"^\[PRE-TOOLKIT\] could not inspect the NVIDIA Container Toolkit \(no API field shows it\) "
                r"of node k8s-node05: probe image")
    with pytest.raises(FactsUnavailable, match=expected):
        toolkit_at_least(failed_outcome(), SETTINGS)
