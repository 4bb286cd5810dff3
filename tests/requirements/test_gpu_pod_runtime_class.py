"""Which runtimeClassName the suite's GPU pods carry, per policy and per node's wiring."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.node import RuntimeConfig, RuntimeEntry
from gpu_conformance.facts.runtime_wiring import gpu_pod_runtime_class

NVIDIA = RuntimeEntry("nvidia", "/usr/bin/nvidia-container-runtime", "io.containerd.runc.v2")
RUNC = RuntimeEntry("runc", None, "io.containerd.runc.v2")
TUTORIAL = RuntimeConfig("containerd", "nvidia", "/host/etc/containerd/config.toml", (RUNC, NVIDIA),
                         ("runc", "nvidia"), None, ("/host/etc/containerd/config.toml",), 2)
RUNC_DEFAULT = replace(TUTORIAL, default_runtime="runc")
CDI_ON = replace(RUNC_DEFAULT, enable_cdi=True)
CLASSES = {"nvidia": "nvidia", "gpu": "nvidia"}


@pytest.mark.parametrize(("config", "strategies", "plugin_class", "policy", "expected"), [
    (TUTORIAL, ("envvar",), None, "auto", None),  # the default runtime serves every pod
    (CDI_ON, ("cdi-annotations", "cdi-cri"), "nvidia", "auto", None),  # containerd injects CDI devices itself
    (RUNC_DEFAULT, ("envvar",), "gpu", "auto", "gpu"),  # the plugin's own RuntimeClass
    (RUNC_DEFAULT, ("envvar",), None, "auto", "nvidia"),
    (RUNC_DEFAULT, ("cdi-cri",), None, "auto", "nvidia"),  # CDI off in containerd 1.7: the RuntimeClass it is
    (None, (), "gpu", "auto", "gpu"),  # no runtime configuration read: the plugin's RuntimeClass
    (TUTORIAL, ("envvar",), None, "runtimeclass", "nvidia"),
    (CDI_ON, ("cdi-cri",), "gpu", "default", None),
])
def test_runtime_class_for_gpu_pods(config: RuntimeConfig | None, strategies: tuple[str, ...],
                                    plugin_class: str | None, policy: str, expected: str | None) -> None:
    chosen = gpu_pod_runtime_class(config, "containerd://1.7.13", CLASSES, strategies, plugin_class, policy)
    assert chosen == expected


def test_no_runtime_class_when_none_exists() -> None:
    assert gpu_pod_runtime_class(RUNC_DEFAULT, "containerd://1.7.13", {}, ("envvar",), "nvidia", "auto") is None
    assert gpu_pod_runtime_class(None, "containerd://1.7.13", {}, (), "nvidia", "auto") is None
