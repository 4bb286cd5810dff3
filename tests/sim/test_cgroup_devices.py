"""The cgroup trap's host side in the test bed: the nvidia runtime's SystemdCgroup, /proc/devices, /dev/char."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from gpusim.cgroup_trap import loses_gpus_on_reload
from gpusim.hostroot import render_host_root
from gpusim.images.injection import Injection
from gpusim.scenario import load, loads
from gpusim.scenario_yaml import ScenarioError

pytestmark = pytest.mark.e2e

LINKS = {"195:0": "../nvidia0", "195:255": "../nvidiactl", "510:0": "../nvidia-uvm", "510:1": "../nvidia-uvm-tools"}


def _host(tmp_path: Path, scenario: str) -> Path:
    root = tmp_path / scenario
    render_host_root(load(scenario).node("k8s-node06"), root)
    return root


def test_the_nvidia_runtime_under_systemd_with_the_links(tmp_path: Path) -> None:
    root = _host(tmp_path, "systemd-cgroup")
    config = (root / "etc/containerd/config.toml").read_text()
    options = config.split('runtimes.nvidia.options]', 1)[1]
    assert options.splitlines()[1:3] == ['            BinaryName = "/usr/bin/nvidia-container-runtime"',
                                         "            SystemdCgroup = true"]
    assert "195 nvidia-frontend\n510 nvidia-uvm\n" in (root / "proc/devices").read_text()
    assert {p.name: os.readlink(p) for p in (root / "dev/char").iterdir()} == LINKS


def test_a_host_as_the_driver_leaves_it_has_no_links(tmp_path: Path) -> None:
    root = _host(tmp_path, "cgroup-dev-char-missing")
    assert "SystemdCgroup = true" in (root / "etc/containerd/config.toml").read_text()
    assert (root / "proc/devices").exists() and not (root / "dev/char").exists()
    seed = _host(tmp_path, "seed")
    assert "SystemdCgroup" not in (seed / "etc/containerd/config.toml").read_text().split("runtimes.nvidia", 1)[1]


def test_the_fault_is_the_healthy_variant_without_its_links() -> None:
    healthy, fault = load("systemd-cgroup"), load("cgroup-dev-char-missing")
    changed = [(n.host, m.host) for n, m in zip(healthy.nodes, fault.nodes, strict=True) if n != m]
    assert len(changed) == 1 and changed[0][0] is not None and changed[0][1] is not None
    assert replace(changed[0][0], dev_char_symlinks=False) == changed[0][1]


def test_systemd_cgroup_is_containerds_option() -> None:
    text = """\
name: t
nodes:
  - name: a
    containerRuntime: docker://24.0.7
    gpus: {count: 1, model: Tesla T4}
    host:
      runtime:
        systemdCgroup: true
"""
    with pytest.raises(ScenarioError, match=r"t.yaml:8: nodes\[0\].host.runtime.systemdCgroup: systemdCgroup is "
                                            "containerd's runtime option; this node runs docker"):
        loads(text, "t.yaml")


@pytest.mark.parametrize(("scenario", "handler", "loses"), [
    ("cgroup-dev-char-missing", "nvidia", True),  # the hook, systemd, no links
    ("systemd-cgroup", "nvidia", False),  # the links keep systemd's rules whole
    ("seed", "nvidia", False),  # cgroupfs: systemd never touches the rules
    ("cgroup-dev-char-missing", "runc", False),  # not the hook: nothing outside the spec
])
def test_who_loses_the_gpus_at_a_reload(scenario: str, handler: str, loses: bool) -> None:
    node = load(scenario).node("k8s-node06")
    injected = Injection(gpus=node.gpus, driver=True, device_nodes=("nvidia0", "nvidiactl"))
    assert loses_gpus_on_reload(node, handler, injected) is loses
    assert not loses_gpus_on_reload(node, handler, Injection())  # a container without GPUs has nothing to lose
