"""PRE-RUNTIME-DEFAULT on nodes NVIDIA's DRA driver serves: their runtime must inject CDI devices itself."""

from __future__ import annotations

import dataclasses

from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.node import Observed, RuntimeConfig
from gpu_conformance.requirements.prerequisites import runtime_default
from gpu_conformance.settings import Settings

from .builders import CONTAINERD_TOML, TUTORIAL_CONTAINERD, gpu_node, outcome, probe
from .test_dra_gpu_request import dra_node

CDI_ON = dataclasses.replace(TUTORIAL_CONTAINERD, default_runtime="runc", runtimes=(), handlers=(), enable_cdi=True)
CDI_OFF = dataclasses.replace(CDI_ON, enable_cdi=False)


def _probe(config: RuntimeConfig) -> ProbeOutcome:
    return outcome(probe(runtime=Observed(config, CONTAINERD_TOML)))


def test_a_dra_node_with_cdi_on_passes_without_the_nvidia_runtime() -> None:
    verdict = runtime_default(_probe(CDI_ON), dra_node("k8s-node05"), {}, Settings(), None, dra=True)
    assert verdict.ok and verdict.message == (
        "found NVIDIA's DRA driver hands GPUs out as CDI devices and containerd has enable_cdi = true at "
        f"{CONTAINERD_TOML}")


def test_a_dra_node_without_cdi_fails_with_the_containerd_edit() -> None:
    verdict = runtime_default(_probe(CDI_OFF), dra_node("k8s-node05"), {}, Settings(), None, dra=True)
    assert not verdict.ok
    assert verdict.message == (
        "[PRE-RUNTIME-DEFAULT] found NVIDIA's DRA driver hands GPUs out as CDI devices, but the node's containerd does "
        f"not inject them (enable_cdi is off) at {CONTAINERD_TOML}, expected a container runtime that injects CDI "
        "devices (containerd with enable_cdi, the default from 2.0; CRI-O); fix: in /etc/containerd/config.toml set "
        'enable_cdi = true and cdi_spec_dirs = ["/etc/cdi", "/var/run/cdi"] under '
        '[plugins."io.containerd.grpc.v1.cri"] '
        "(containerd >= 1.7; on by default from 2.0), then `systemctl restart containerd`")


def test_the_tutorials_wiring_is_not_enough_for_dra() -> None:
    """containerd 1.7 with nvidia as the default runtime: CDI is off (the default before 2.0)."""
    verdict = runtime_default(_probe(TUTORIAL_CONTAINERD), dra_node("k8s-node05"), {}, Settings(), None, dra=True)
    assert not verdict.ok and "does not inject them (enable_cdi is off)" in verdict.message


def test_a_node_of_both_ways_needs_both() -> None:
    both = dataclasses.replace(TUTORIAL_CONTAINERD, enable_cdi=True)
    verdict = runtime_default(_probe(both), gpu_node(), {}, Settings(), None, dra=True)
    assert verdict.ok and verdict.message.endswith(
        "; NVIDIA's DRA driver hands GPUs out as CDI devices and containerd has enable_cdi = true")
    assert not runtime_default(_probe(CDI_ON), gpu_node(), {}, Settings(), None, dra=True).ok
