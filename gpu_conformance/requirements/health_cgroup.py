"""HEALTH-CGROUP-DEVICES: GPU containers keep their devices when systemd reloads (NVIDIA/nvidia-container-toolkit#48).

The NVIDIA hook (nvidia-container-runtime in legacy mode) gives a container its /dev/nvidia* nodes outside the OCI
spec's device list. Under the systemd cgroup driver runc also tells systemd the container's device rules, by their
/dev/char/<major>:<minor> paths; systemd drops those that do not exist, and the NVIDIA nodes have none unless
something made them. On the next `systemctl daemon-reload` systemd rewrites the container's device cgroup from its
own list: the container loses its GPUs ("Failed to initialize NVML: Unknown Error") until it is restarted. CDI puts
the devices in the spec, which runc keeps. The fix is NVIDIA's (issue #48, "Workarounds").

The cgroup driver is containerd's per-runtime SystemdCgroup (unset: false), CRI-O's cgroup_manager (unset: systemd)
or docker's exec-opts native.cgroupdriver; docker without it is skipped, saying so: its default follows the host's
cgroup version, which the probe does not read. The toolkit's mode (legacy or cdi) is not read: every
nvidia-container-runtime entry but the toolkit's own nvidia-cdi is taken to inject through the hook.
"""

from __future__ import annotations

from gpu_conformance.checks import HEALTH_CGROUP_DEVICES
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.node import DevCharLink, RuntimeEntry
from gpu_conformance.requirements.wording import probe_unavailable
from gpu_conformance.verdict import Verdict

HOOK_RUNTIME = "nvidia-container-runtime"
CDI_HANDLER = "nvidia-cdi"  # nvidia-ctk's handler in cdi mode
# How each runtime says its containers run under systemd's cgroup driver, and how under cgroupfs.
_SYSTEMD = {"containerd": "SystemdCgroup = true", "cri-o": "cgroup_manager systemd (set, or CRI-O's default)",
            "docker": "native.cgroupdriver=systemd"}
_CGROUPFS = {"containerd": "SystemdCgroup = false", "cri-o": 'cgroup_manager = "cgroupfs" with conmon_cgroup = "pod"',
             "docker": '"exec-opts": ["native.cgroupdriver=cgroupfs"]'}
_EXPECTED = ("a /dev/char/<major>:<minor> symlink to every NVIDIA device node where a runtime injecting GPUs through "
             "the NVIDIA hook uses the systemd cgroup driver: otherwise the next `systemctl daemon-reload` takes the "
             "GPUs from running containers (\"Failed to initialize NVML: Unknown Error\")")


def _through_hook(runtime: RuntimeEntry) -> bool:
    binary = (runtime.binary or "").rsplit("/", 1)[-1]
    return binary.startswith(HOOK_RUNTIME) and runtime.name != CDI_HANDLER


def _named(runtimes: list[RuntimeEntry]) -> str:
    return ", ".join(f"{r.name} ({r.binary})" for r in runtimes)


def _linked(link: DevCharLink) -> bool:
    return link.link is not None and link.link.rsplit("/", 1)[-1] == link.device


def _shown(link: DevCharLink) -> str:
    wrong = f" (it points to {link.link})" if link.link is not None else ""
    return f"/dev/char/{link.number} -> {link.device}{wrong}"


def devices_survive_reload(outcome: ProbeOutcome) -> Verdict:
    """Passed under cgroupfs, without hook-injecting runtimes, or with every symlink; failed naming those missing."""
    probe = outcome.probe
    if probe is None:
        raise probe_unavailable(HEALTH_CGROUP_DEVICES, outcome, "the container runtime's cgroup driver")
    read = probe.runtime
    if not read.ok or read.value is None:
        raise probe_unavailable(HEALTH_CGROUP_DEVICES, outcome, "the container runtime's cgroup driver",
                                f"{read.error} at {read.source}")
    config = read.value
    hooked = [r for r in config.runtimes if _through_hook(r)]
    if not hooked:
        found = f"no runtime injecting GPUs through the NVIDIA hook ({HOOK_RUNTIME}): CDI devices are in the " \
                "container's spec, which runc keeps"
        return Verdict.passed(HEALTH_CGROUP_DEVICES, found, read.source)
    if config.kind == "docker" and any(r.systemd_cgroup is None for r in hooked):
        why = (f"docker on node {outcome.node} sets no cgroup driver (exec-opts native.cgroupdriver in "
               f"{read.source}): its default follows the host's cgroup version, which the probe does not read")
        return Verdict.skipped(HEALTH_CGROUP_DEVICES, why)
    systemd = [r for r in hooked if r.systemd_cgroup]
    setting = _SYSTEMD.get(config.kind, "the systemd cgroup driver")
    if not systemd:
        found = f"runtime {_named(hooked)} under the cgroupfs driver (not {setting}): systemd never rewrites its " \
                "device rules"
        return Verdict.passed(HEALTH_CGROUP_DEVICES, found, read.source)
    links = probe.dev_char
    if not links.ok or links.value is None:
        raise probe_unavailable(HEALTH_CGROUP_DEVICES, outcome, "the NVIDIA devices' /dev/char symlinks",
                                f"{links.error} at {links.source}")
    source = f"{read.source}; {links.source}"
    found = f"runtime {_named(systemd)} with {setting}"
    missing = [link for link in links.value if not _linked(link)]
    if not missing:
        linked = ", ".join(f"{link.number} -> {link.device}" for link in links.value)
        return Verdict.passed(HEALTH_CGROUP_DEVICES, f"{found} and every NVIDIA device linked in /dev/char ({linked})",
                              source)
    fix = HEALTH_CGROUP_DEVICES.remediation.replace("on the node", f"on node {outcome.node}").replace(
        _CGROUPFS["containerd"], _CGROUPFS.get(config.kind, _CGROUPFS["containerd"]))
    return Verdict.failed(HEALTH_CGROUP_DEVICES, f"{found}, and no {', '.join(map(_shown, missing))}", source,
                          _EXPECTED, fix)
