"""HEALTH-CGROUP-DEVICES: a hook-injecting runtime under systemd cgroups needs /dev/char links to the NVIDIA devices."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.node import DevCharLink, NodeProbe, Observed, RuntimeConfig, RuntimeEntry
from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.requirements.health_cgroup import devices_survive_reload
from tests.requirements.builders import (
    CONTAINERD_TOML,
    DEV_CHAR,
    DEVICES,
    NVIDIA_RUNTIME,
    TUTORIAL_CONTAINERD,
    outcome,
    probe,
)

pytestmark = pytest.mark.unit

SYSTEMD_NVIDIA = replace(NVIDIA_RUNTIME, systemd_cgroup=True)


def node(runtimes: tuple[RuntimeEntry, ...] = (SYSTEMD_NVIDIA,), linked: tuple[str, ...] = (),
         kind: str = "containerd") -> NodeProbe:
    """The seed node with these runtimes and /dev/char links for the devices named in ``linked``."""
    config = replace(TUTORIAL_CONTAINERD, kind=kind, runtimes=runtimes)
    links = tuple(DevCharLink(name, number, f"../{name}" if name in linked else None) for name, number in DEVICES)
    return probe(runtime=Observed(config, CONTAINERD_TOML), dev_char=Observed(links, DEV_CHAR))


def test_the_tutorials_runtime_under_cgroupfs_passes() -> None:
    verdict = devices_survive_reload(outcome(probe()))
    assert verdict.ok and not verdict.skip
    assert verdict.message == ("found runtime nvidia (/usr/bin/nvidia-container-runtime) under the cgroupfs driver "
                               "(not SystemdCgroup = true): systemd never rewrites its device rules at "
                               f"{CONTAINERD_TOML}")


def test_systemd_without_the_links_fails_naming_each_missing_one() -> None:
    verdict = devices_survive_reload(outcome(node(linked=("nvidia0",))))
    assert not verdict.ok
    assert verdict.message.startswith(
        "[HEALTH-CGROUP-DEVICES] found runtime nvidia (/usr/bin/nvidia-container-runtime) with SystemdCgroup = true, "
        "and no /dev/char/195:1 -> nvidia1, /dev/char/195:255 -> nvidiactl, /dev/char/510:0 -> nvidia-uvm, "
        f"/dev/char/510:1 -> nvidia-uvm-tools at {CONTAINERD_TOML}; {DEV_CHAR}, expected a /dev/char/")
    assert "fix: `nvidia-ctk system create-dev-char-symlinks --create-all` on node k8s-node05 (toolkit" in \
        verdict.message


def test_systemd_with_every_link_passes() -> None:
    verdict = devices_survive_reload(outcome(node(linked=tuple(name for name, _ in DEVICES))))
    assert verdict.ok and "with SystemdCgroup = true and every NVIDIA device linked in /dev/char (195:0 -> " \
        "nvidia0, 195:1 -> nvidia1, 195:255 -> nvidiactl, 510:0 -> nvidia-uvm, 510:1 -> nvidia-uvm-tools)" in \
        verdict.message


def test_a_link_to_another_device_is_no_link() -> None:
    broken = node(linked=tuple(name for name, _ in DEVICES))
    assert broken.dev_char.value is not None
    wrong = (replace(broken.dev_char.value[0], link="../nvidia1"), *broken.dev_char.value[1:])
    verdict = devices_survive_reload(outcome(replace(broken, dev_char=Observed(wrong, DEV_CHAR))))
    assert not verdict.ok and "no /dev/char/195:0 -> nvidia0 (it points to ../nvidia1) at" in verdict.message


def test_gpus_by_cdi_alone_pass() -> None:
    runc = RuntimeEntry("runc", None, "io.containerd.runc.v2", True)
    cdi = RuntimeEntry("nvidia-cdi", "/usr/bin/nvidia-container-runtime.cdi", "io.containerd.runc.v2", True)
    verdict = devices_survive_reload(outcome(node((runc, cdi))))
    assert verdict.ok and "no runtime injecting GPUs through the NVIDIA hook" in verdict.message


def test_cri_o_runs_under_systemd_unless_told_otherwise() -> None:
    verdict = devices_survive_reload(outcome(node(kind="cri-o")))
    assert not verdict.ok and "with cgroup_manager systemd (set, or CRI-O's default), and no /dev/char/195:0" in \
        verdict.message
    assert 'or run that runtime under cgroupfs (cgroup_manager = "cgroupfs" with conmon_cgroup = "pod",' in \
        verdict.message


def test_docker_without_a_cgroup_driver_is_skipped_saying_why() -> None:
    unset = replace(NVIDIA_RUNTIME, runtime_type=None)
    verdict = devices_survive_reload(outcome(node((unset,), kind="docker")))
    assert verdict.skip and "docker on node k8s-node05 sets no cgroup driver (exec-opts native.cgroupdriver" in \
        verdict.message


def test_unreadable_links_are_could_not_inspect() -> None:
    unread = replace(node(), dev_char=Observed.missing(DEV_CHAR, "no NVIDIA character device in /proc/devices"))
    with pytest.raises(FactsUnavailable, match="could not inspect the NVIDIA devices' /dev/char symlinks of node "
                                               "k8s-node05: no NVIDIA character device"):
        devices_survive_reload(outcome(unread))


def test_an_unread_runtime_is_could_not_inspect() -> None:
    unread: Observed[RuntimeConfig] = Observed.missing(CONTAINERD_TOML, "no such file")
    with pytest.raises(FactsUnavailable, match="could not inspect the container runtime's cgroup driver"):
        devices_survive_reload(outcome(probe(runtime=unread)))
