"""Cluster-wide sections: ``kubernetes``, ``devicePlugin``, ``runtimeClasses``, ``apiFaults``."""

from __future__ import annotations

import json
import re
from typing import cast

from gpusim.model import (
    ApiFaults,
    ClusterVersion,
    DeviceIdStrategy,
    DeviceListStrategy,
    DevicePluginSetup,
    MigStrategy,
    NodeSpec,
    PluginStyle,
    PodTiming,
    RuntimeClassSpec,
    Scenario,
)
from gpusim.plugin_versions import MPS_SINCE, TIME_SLICING_SINCE, plugin_release
from gpusim.scenario_nodes import GIT_VERSION
from gpusim.scenario_yaml import ScenarioError, Value

KUBERNETES_FIELDS = ("version", "nodeMonitorGracePeriodSeconds")
VERSION_FIELDS = ("major", "minor", "gitVersion", "platform")
PLUGIN_FIELDS = ("style", "version", "failOnInitError", "gfd", "migStrategy", "deviceListStrategy",
                 "runtimeClassName", "deviceIdStrategy")
DEVICE_ID_STRATEGIES = ("uuid", "index")
DEVICE_LIST_STRATEGIES = ("envvar", "volume-mounts", "cdi-annotations", "cdi-cri")
PLUGIN_STYLES = ("static", "helm", "gpu-operator", "gke", "none")
MIG_STRATEGIES = ("single", "mixed")
RUNTIME_CLASS_FIELDS = ("name", "handler")
FAULT_FIELDS = (
    "latencyMs",
    "throttleRatio",
    "retryAfterSeconds",
    "errorRatio",
    "dropWatchAfterSeconds",
    "unreachable",
    "seed",
)
DEFAULT_VERSION = "v1.28.3"

_PLUGIN_VERSION = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?")
_DIGITS = re.compile(r"\d+")
_MINOR = re.compile(r"\d+\+?")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_PLATFORM = re.compile(r"[a-z0-9]+/[a-z0-9]+")
_VERSION_WORDS = 'a version like "v1.28.3" or a mapping with gitVersion (and major, minor, platform)'


def cluster_version(value: Value | None) -> ClusterVersion:
    if value is None:
        return _from_git_version(DEFAULT_VERSION)
    version = value.mapping(KUBERNETES_FIELDS).get("version")
    if version is None:
        return _from_git_version(DEFAULT_VERSION)
    if not version.is_mapping:
        return _from_git_version(version.matching(GIT_VERSION, _VERSION_WORDS))
    fields = version.mapping(VERSION_FIELDS)
    git_version = fields.require("gitVersion").matching(GIT_VERSION, 'a version like "v1.28.3-eks-4f4795d"')
    derived = _from_git_version(git_version)
    return ClusterVersion(
        major=fields.read(
            "major", lambda v: v.matching(_DIGITS, 'a number as a string, e.g. "1"'), derived.major
        ),
        minor=fields.read(
            "minor", lambda v: v.matching(_MINOR, 'a minor version such as "28" or "28+"'), derived.minor
        ),
        git_version=git_version,
        platform=fields.read(
            "platform", lambda v: v.matching(_PLATFORM, 'a platform like "linux/amd64"'), derived.platform
        ),
    )


def node_monitor_grace(value: Value | None) -> float:
    """kube-controller-manager's --node-monitor-grace-period (seconds; 40 unless the file says otherwise)."""
    grace = None if value is None else value.mapping(KUBERNETES_FIELDS).get("nodeMonitorGracePeriodSeconds")
    return Scenario.node_monitor_grace_seconds if grace is None else grace.number(0.5)


def check_sharing(plugin: Value | None, setup: DevicePluginSetup, nodes: tuple[NodeSpec, ...]) -> None:
    """Sharing needs a plugin that has it: time-slicing from v0.12.0, MPS from v0.15.0; not GKE's plugin."""
    for node in nodes:
        if node.sharing is None:
            continue
        since = MPS_SINCE if node.sharing.strategy == "mps" else TIME_SLICING_SINCE
        problem = ""
        if setup.style in ("gke", "none"):
            problem = f"node {node.name} shares its GPUs, which the {setup.style} device plugin style cannot do"
        elif plugin_release(setup.version) < since:
            wanted = "v" + ".".join(map(str, since))
            problem = (f"node {node.name} uses {node.sharing.strategy} sharing, which the device plugin has "
                       f"from {wanted} on; devicePlugin.version is {setup.version}")
        if problem:
            raise plugin.error(problem) if plugin is not None else ScenarioError(f"{problem} (set devicePlugin)")


def _from_git_version(git_version: str) -> ClusterVersion:
    """Vendor builds (``v1.28.3-eks-4f4795d``, ``-gke.``) report minor ``"28+"``; k3s's ``+k3s1`` does not."""
    match = GIT_VERSION.fullmatch(git_version)
    assert match is not None  # callers validated it
    suffix = match.group(4) or ""
    minor = match.group(2) + ("+" if suffix.startswith("-") else "")
    return ClusterVersion(major=match.group(1), minor=minor, git_version=git_version)


def device_plugin(value: Value | None) -> DevicePluginSetup:
    if value is None:
        return DevicePluginSetup()
    fields = value.mapping(PLUGIN_FIELDS)
    default = DevicePluginSetup()
    style = cast(PluginStyle, fields.choice("style", PLUGIN_STYLES, default.style))
    return DevicePluginSetup(
        style=style,
        runtime_class_name=fields.read(  # the GPU Operator gives its operands RuntimeClass nvidia
            "runtimeClassName", lambda v: None if v.is_null else v.matching(_DNS_LABEL, "a RuntimeClass name"),
            "nvidia" if style == "gpu-operator" else None),
        version=fields.read(
            "version", lambda v: v.matching(_PLUGIN_VERSION, 'a version like "v0.14.3"'), default.version
        ),
        fail_on_init_error=fields.read("failOnInitError", Value.boolean, default.fail_on_init_error),
        gfd=fields.read("gfd", Value.boolean, default.gfd),
        mig_strategy=cast(MigStrategy, fields.choice("migStrategy", MIG_STRATEGIES, default.mig_strategy)),
        device_list_strategy=fields.read("deviceListStrategy", _device_list_strategy,
                                         default.device_list_strategy),
        device_id_strategy=cast(DeviceIdStrategy, fields.choice("deviceIdStrategy", DEVICE_ID_STRATEGIES, "uuid")),
    )


def _device_list_strategy(value: Value) -> tuple[DeviceListStrategy, ...]:
    """``envvar``, ``volume-mounts``, ``cdi-annotations``, ``cdi-cri``, or a comma list of them (the plugin's
    DEVICE_LIST_STRATEGY, e.g. the GPU Operator's ``cdi-annotations,cdi-cri``)."""
    words = [w.strip() for w in value.nonempty("a device list strategy").split(",")]
    for word in words:
        if word not in DEVICE_LIST_STRATEGIES:
            raise value.error(f'unknown device list strategy "{word}"; expected a comma list of '
                              f"{', '.join(DEVICE_LIST_STRATEGIES)}")
    if len(set(words)) != len(words):
        raise value.error("a device list strategy is listed twice")
    return tuple(cast(DeviceListStrategy, w) for w in words)


def runtime_classes(value: Value | None) -> tuple[RuntimeClassSpec, ...]:
    if value is None:
        return ()
    classes: list[RuntimeClassSpec] = []
    for item in value.items():
        fields = item.mapping(RUNTIME_CLASS_FIELDS)
        name_value = fields.require("name")
        name = name_value.matching(_DNS_LABEL, "a lowercase RFC 1123 name such as nvidia")
        if any(c.name == name for c in classes):
            raise name_value.error(f"duplicate RuntimeClass {json.dumps(name)}")
        handler = fields.require("handler").matching(_DNS_LABEL, "a lowercase RFC 1123 label such as nvidia")
        classes.append(RuntimeClassSpec(name=name, handler=handler))
    return tuple(classes)


def api_faults(value: Value | None) -> ApiFaults:
    if value is None:
        return ApiFaults()
    fields = value.mapping(FAULT_FIELDS)
    default = ApiFaults()
    return ApiFaults(
        latency_ms=fields.read("latencyMs", lambda v: v.integer(minimum=0), default.latency_ms),
        throttle_ratio=fields.read("throttleRatio", lambda v: v.number(0, 1), default.throttle_ratio),
        retry_after_seconds=fields.read(
            "retryAfterSeconds", lambda v: v.integer(minimum=0), default.retry_after_seconds
        ),
        error_ratio=fields.read("errorRatio", lambda v: v.number(0, 1), default.error_ratio),
        drop_watch_after_seconds=fields.read(
            "dropWatchAfterSeconds", lambda v: None if v.is_null else v.number(0.001), None
        ),
        unreachable=fields.read("unreachable", Value.boolean, default.unreachable),
        seed=fields.read("seed", Value.integer, default.seed),
    )


def unreachable_images(value: Value | None) -> tuple[str, ...]:
    return () if value is None else value.strings(lambda item: item.nonempty("an image pattern"))


def pod_timing(value: Value | None) -> tuple[PodTiming, ...]:
    """``podTiming:``: a list of {image, pullSeconds, runSeconds, jitterSeconds}, the first matching entry applies."""
    if value is None:
        return ()
    timings = []
    for item in value.items():
        fields = item.mapping(("image", "pullSeconds", "runSeconds", "jitterSeconds"))
        timings.append(PodTiming(
            image=fields.require("image").nonempty("an image pattern"),
            pull_seconds=fields.read("pullSeconds", lambda v: v.number(0), None),
            run_seconds=fields.read("runSeconds", lambda v: v.number(0), None),
            jitter_seconds=fields.read("jitterSeconds", lambda v: v.number(0), 0.0),
        ))
    return tuple(timings)
