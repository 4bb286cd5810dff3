"""The ``nodes:`` list: node entries (with ``defaults`` beneath them), ``count`` replication, IPs."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import cast

from gpusim.model import (
    ExporterSetup,
    Gpu,
    GpuSharing,
    HostState,
    MigSetup,
    NodeSpec,
    PluginHealth,
    RuntimeKind,
    Taint,
    TaintEffect,
    Workload,
)
from gpusim.scenario_dra import dra_node
from gpusim.scenario_exporter import parse_exporter
from gpusim.scenario_gpus import parse_gpus, rename_gpus
from gpusim.scenario_hardware import parse_hardware
from gpusim.scenario_host import parse_host
from gpusim.scenario_sharing import parse_sharing, parse_unhealthy, parse_unhealthy_xid
from gpusim.scenario_workloads import parse_workloads
from gpusim.scenario_yaml import Fields, ScenarioError, Value

NODE_FIELDS = (
    "name",
    "count",
    "roles",
    "labels",
    "taints",
    "unschedulable",
    "ready",
    "internalIP",
    "kubeletVersion",
    "containerRuntime",
    "osImage",
    "kernelVersion",
    "architecture",
    "cpu",
    "memory",
    "pods",
    "gpus",
    "host",
    "devicePlugin",
    "exporter",
    "sharing",
    "unhealthyGpus",
    "unhealthyXid",
    "workloads",
    "kubeletStopsAfterSeconds",
    "dra",
    "hardware",
)
PER_NODE_ONLY = ("name", "count", "internalIP")
DEFAULT_FIELDS = tuple(f for f in NODE_FIELDS if f not in PER_NODE_ONLY)
TAINT_FIELDS = ("key", "value", "effect")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
PLUGIN_HEALTH = ("auto", "ready", "crashloop", "no_devices")
ARCHITECTURES = ("amd64", "arm64")
RUNTIME_SCHEMES = ("containerd", "docker", "cri-o")

GIT_VERSION = re.compile(r"v(\d+)\.(\d+)\.(\d+)([-+][0-9A-Za-z.+-]+)?")
_RUNTIME_VERSION = re.compile(r"(containerd|docker|cri-o)://(\d+\.\d+\.\d+\S*)")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_QUANTITY = re.compile(r"\d+(\.\d+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?")
_SUBDOMAIN_RULE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
    "'-' or '.', and must start and end with an alphanumeric character"
)
_NAME_RULE = (
    "must consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)
_LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")
_API_SERVER_BLOCK = ipaddress.IPv4Network("127.0.0.0/24")
_FIRST_NODE_IP = int(ipaddress.IPv4Address("127.0.1.1"))
_LAST_NODE_IP = int(ipaddress.IPv4Address("127.255.255.254"))


@dataclass(frozen=True)
class _Entry:
    """One ``nodes[i]`` entry parsed once, before replication and address assignment."""

    spec: NodeSpec  # the first copy, with internal_ip "" unless given
    names: tuple[str, ...]
    name_value: Value
    ip_value: Value | None


def parse_nodes(
    entries: Sequence[Value], defaults: Value | None, cluster_version: str
) -> tuple[NodeSpec, ...]:
    if defaults is not None:
        defaults.mapping(DEFAULT_FIELDS)  # reject per-node fields and typos where they are written
    parsed = [_entry(entry, defaults, cluster_version) for entry in entries]
    _check_unique_names(parsed)
    used = {e.spec.internal_ip for e in parsed if e.spec.internal_ip}
    fresh = iter(assign_ips(sum(len(e.names) for e in parsed if not e.spec.internal_ip), used))
    nodes: list[NodeSpec] = []
    for entry in parsed:
        for i, name in enumerate(entry.names):
            ip = entry.spec.internal_ip or next(fresh)
            gpus = entry.spec.gpus if i == 0 else rename_gpus(entry.spec.gpus, name)
            nodes.append(replace(entry.spec, name=name, internal_ip=ip, gpus=gpus))
    _check_unique_uuids(nodes, parsed)
    return tuple(nodes)


def assign_ips(count: int, used: Iterable[str]) -> list[str]:
    """Addresses 127.0.1.1, 127.0.1.2, ... skipping .0, .255 and the taken ones (127.0.0.x is the API's)."""
    taken = {int(ipaddress.IPv4Address(ip)) for ip in used}
    ips: list[str] = []
    candidate = _FIRST_NODE_IP
    while len(ips) < count:
        if candidate > _LAST_NODE_IP:
            raise ScenarioError(f"too many nodes: 127.0.0.0/8 has room for {len(ips)} more")
        if candidate & 0xFF not in (0, 255) and candidate not in taken:
            ips.append(str(ipaddress.IPv4Address(candidate)))
        candidate += 1
    return ips


def _entry(entry: Value, defaults: Value | None, cluster_version: str) -> _Entry:
    if not entry.is_mapping:
        raise entry.error(f"expected a mapping (one node), got {entry.describe()}")
    layered = replace(entry, under=(*defaults_layers(defaults), *entry.under))
    fields = layered.mapping(NODE_FIELDS)
    name_value = fields.require("name")
    count = fields.read("count", lambda v: v.integer(minimum=1), 1)
    names = _names(name_value, count)
    ip_value = fields.get("internalIP")
    ip = _internal_ip(ip_value) if ip_value is not None else ""
    if ip_value is not None and count > 1:
        raise ip_value.error(f"internalIP cannot be combined with count {count}: the copies would share it")
    runtime = fields.read(
        "containerRuntime",
        lambda v: v.matching(
            _RUNTIME_VERSION, f'a runtime version like "containerd://1.7.2" ({", ".join(RUNTIME_SCHEMES)})'
        ),
        NodeSpec.container_runtime_version,
    )
    kind, _, runtime_version = runtime.partition("://")
    gpus_value = fields.get("gpus")
    gpus: tuple[Gpu, ...] = ()
    mig: MigSetup | None = None
    explicit_uuids = False
    if gpus_value is not None and not gpus_value.is_null:
        gpus, mig, explicit_uuids = parse_gpus(gpus_value, names[0])
    if explicit_uuids and count > 1 and gpus_value is not None:
        raise (
            gpus_value.mapping()
            .require("uuids")
            .error(f"uuids cannot be combined with count {count}: the copies would share them")
        )
    host = _host(fields, entry, bool(gpus), cast(RuntimeKind, kind), runtime_version)
    sharing, unhealthy, workloads = _gpu_use(fields, gpus, count)
    ready = fields.read("ready", Value.boolean, True)
    stops_value = fields.get("kubeletStopsAfterSeconds")
    stops = None if stops_value is None or stops_value.is_null else stops_value.number(0.001)
    if stops is not None and not ready:
        assert stops_value is not None
        raise stops_value.error("this node is not ready from the start (ready: false); its kubelet cannot stop later")
    spec = NodeSpec(
        name=names[0],
        internal_ip=ip,
        gpus=gpus,
        mig=mig,
        host=host,
        roles=fields.read("roles", lambda v: v.strings(_role), ()),
        labels=fields.read("labels", _labels, ()),
        taints=fields.read("taints", _taints, ()),
        unschedulable=fields.read("unschedulable", Value.boolean, False),
        ready=ready,
        kubelet_stops_after=stops,
        sharing=sharing,
        unhealthy_gpus=unhealthy,
        unhealthy_xid=_unhealthy_xid(fields, unhealthy),
        workloads=workloads,
        kubelet_version=fields.read("kubeletVersion", _git_version, cluster_version),
        container_runtime_version=runtime,
        os_image=fields.read("osImage", Value.nonempty, NodeSpec.os_image),
        kernel_version=fields.read("kernelVersion", Value.nonempty, NodeSpec.kernel_version),
        architecture=fields.choice("architecture", ARCHITECTURES, NodeSpec.architecture),
        cpu=fields.read("cpu", _quantity, NodeSpec.cpu),
        memory=fields.read("memory", _quantity, NodeSpec.memory),
        pods=str(fields.read("pods", lambda v: v.integer(minimum=1), int(NodeSpec.pods))),
        device_plugin=cast(PluginHealth, fields.choice("devicePlugin", PLUGIN_HEALTH, "auto")),
        exporter=fields.read("exporter", parse_exporter, ExporterSetup()),
        dra=dra_node(fields.get("dra"), gpus),
        hardware=parse_hardware(fields.get("hardware"), gpus),
    )
    return _Entry(spec=spec, names=names, name_value=name_value, ip_value=ip_value)


def _unhealthy_xid(fields: Fields, unhealthy: tuple[int, ...]) -> int:
    value = fields.get("unhealthyXid")
    if value is None or value.is_null:
        return NodeSpec.unhealthy_xid
    if not unhealthy:
        raise value.error("unhealthyXid needs unhealthyGpus: the GPUs that reported it")
    return parse_unhealthy_xid(value)


def _gpu_use(
    fields: Fields, gpus: tuple[Gpu, ...], count: int
) -> tuple[GpuSharing | None, tuple[int, ...], tuple[Workload, ...]]:
    """``sharing``, ``unhealthyGpus`` and ``workloads``: how the node's GPUs are advertised and held."""
    present = [key for key in ("sharing", "unhealthyGpus", "workloads") if fields.get(key) is not None]
    if not gpus:
        for key in present:
            value = fields.require(key)
            if not value.is_null:
                raise value.error(f"{key} needs GPUs; this node has no gpus")
        return None, (), ()
    sharing = fields.read("sharing", lambda v: parse_sharing(v, gpus), None)
    no_indices: tuple[int, ...] = ()
    unhealthy = fields.read("unhealthyGpus", lambda v: parse_unhealthy(v, gpus), no_indices)
    replicas = sharing.replicas if sharing is not None else 1
    devices = (len(gpus) - len(unhealthy)) * replicas
    workloads_value = fields.get("workloads")
    workloads: tuple[Workload, ...] = ()
    if workloads_value is not None and not workloads_value.is_null:
        if count > 1:
            raise workloads_value.error(f"workloads cannot be combined with count {count}: the pods' names would clash")
        workloads = parse_workloads(workloads_value, devices)
    return sharing, unhealthy, workloads


def defaults_layers(defaults: Value | None) -> tuple[Value, ...]:
    return () if defaults is None else (*defaults.under, replace(defaults, under=()))


def _host(
    fields: Fields, entry: Value, has_gpus: bool, kind: RuntimeKind, runtime_version: str
) -> HostState | None:
    host_value = fields.get("host")
    if has_gpus:
        return parse_host(
            None if host_value is None or host_value.is_null else host_value, kind, runtime_version
        )
    # A node without GPUs has no NVIDIA host; a host written on the node itself (not inherited) is a mistake.
    own = entry.mapping(NODE_FIELDS).get("host")
    if own is not None and not own.is_null:
        raise own.error("host describes NVIDIA hardware; this node has no gpus")
    return None


def _names(value: Value, count: int) -> tuple[str, ...]:
    pattern = value.nonempty()
    try:
        names = tuple(pattern.format(index=i) for i in range(1, count + 1))
    except KeyError as err:
        raise value.error(f"unknown placeholder {{{err.args[0]}}}; only {{index}} is allowed") from None
    except (ValueError, IndexError) as err:
        raise value.error(f"invalid name pattern {json.dumps(pattern)}: {err}") from None
    for name in names:
        if len(name) > 253 or not _SUBDOMAIN.fullmatch(name):
            raise value.error(f"invalid node name {json.dumps(name)}: {_SUBDOMAIN_RULE}")
    if len(set(names)) != len(names):
        raise value.error(
            f"{json.dumps(pattern)} gives the same name to all {count} copies; "
            'put {index} in it, e.g. "gpu-{index:04d}"'
        )
    return names


def _check_unique_names(entries: list[_Entry]) -> None:
    first: dict[str, Value] = {}
    for entry in entries:
        for name in entry.names:
            if name in first:
                raise entry.name_value.error(
                    f'duplicate node name "{name}" (also {first[name].path}, line {first[name].line})'
                )
            first[name] = entry.name_value


def _check_unique_uuids(nodes: list[NodeSpec], entries: list[_Entry]) -> None:
    owner: dict[str, str] = {}
    for node in nodes:
        for gpu in node.gpus:
            if gpu.uuid in owner and owner[gpu.uuid] != node.name:
                value = next(e.name_value for e in entries if node.name in e.names)
                raise value.error(f"GPU UUID {gpu.uuid} is also on node {owner[gpu.uuid]}")
            owner[gpu.uuid] = node.name


def _internal_ip(value: Value) -> str:
    text = value.nonempty("an IPv4 address")
    try:
        address = ipaddress.IPv4Address(text)
    except ValueError:
        raise value.error(f'expected an IPv4 address, got "{text}"') from None
    if address not in _LOOPBACK:
        raise value.error(f"{text} must be in 127.0.0.0/8: the simulation only uses loopback addresses")
    if address in _API_SERVER_BLOCK:
        raise value.error(f"{text} is in 127.0.0.0/24, which the API server uses; pick one from 127.0.1.1 up")
    return text


def _git_version(value: Value) -> str:
    return value.matching(GIT_VERSION, 'a version like "v1.28.3"')


def _quantity(value: Value) -> str:
    return value.matching(_QUANTITY, 'a quantity like "16" or "64Gi"')


def _role(value: Value) -> str:
    role = value.nonempty()
    if len(role) > 63 or not _NAME_PART.fullmatch(role):
        raise value.error(f"invalid role {json.dumps(role)}: {_NAME_RULE}")
    return role


def label_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label (or taint) key, in the apiserver's words; None when valid."""
    prefix, _, name = key.rpartition("/")
    if prefix and (len(prefix) > 253 or not _SUBDOMAIN.fullmatch(prefix)):
        return f"prefix part {_SUBDOMAIN_RULE}"
    if not name or len(name) > 63 or not _NAME_PART.fullmatch(name):
        return f"name part {_NAME_RULE}"
    return None


def label_value_problem(text: str) -> str | None:
    if text and (len(text) > 63 or not _NAME_PART.fullmatch(text)):
        return (
            f"a valid label value must be an empty string or {_NAME_RULE.replace('must consist', 'consist')}"
        )
    return None


def _labels(value: Value) -> tuple[tuple[str, str], ...]:
    """The node's labels; null removes inherited ones (a node that nothing marks as a GPU node)."""
    if value.is_null:
        return ()
    labels: list[tuple[str, str]] = []
    for key, item in value.mapping().entries.items():
        text = item.string() if not item.is_null else ""
        problem = label_key_problem(key) or label_value_problem(text)
        if problem:
            raise item.error(f"invalid label {json.dumps(key)}: {problem}")
        labels.append((key, text))
    return tuple(labels)


def _taints(value: Value) -> tuple[Taint, ...]:
    taints = tuple(_taint(item) for item in value.items())
    seen: set[tuple[str, str]] = set()
    for item, taint in zip(value.items(), taints, strict=True):
        if (taint.key, taint.effect) in seen:
            raise item.error(f"duplicate taint {taint.key}:{taint.effect}")
        seen.add((taint.key, taint.effect))
    return taints


def _taint(value: Value) -> Taint:
    if value.is_mapping:
        fields = value.mapping(TAINT_FIELDS)
        key_value, effect_value = fields.require("key"), fields.require("effect")
        key, effect = key_value.nonempty(), effect_value.string()
        text = fields.read("value", Value.string, "")
        where = {"key": key_value, "effect": effect_value, "value": fields.get("value") or value}
    else:
        written = value.string('a taint like "key=value:NoSchedule" or a mapping with key, value, effect')
        head, colon, effect = written.rpartition(":")
        if not colon:
            raise value.error(
                f'invalid taint {json.dumps(written)}: expected "key=value:Effect" or "key:Effect"'
            )
        key, _, text = head.partition("=")
        where = {"key": value, "effect": value, "value": value}
    if effect not in TAINT_EFFECTS:
        raise where["effect"].error(
            f"bad taint effect {json.dumps(effect)}: expected one of {', '.join(TAINT_EFFECTS)}"
        )
    problem = label_key_problem(key)
    if problem:
        raise where["key"].error(f"invalid taint key {json.dumps(key)}: {problem}")
    problem = label_value_problem(text)
    if problem:
        raise where["value"].error(f"invalid taint value {json.dumps(text)}: {problem}")
    return Taint(key=key, effect=cast(TaintEffect, effect), value=text)
