"""Scenario files: YAML describing a simulated cluster, loaded into the ground-truth model.

``load("seed")`` reads a bundled scenario, ``load("path/to/file.yaml")`` a file of yours. Every
mistake in a file is one line naming file, line and field, e.g.
``seed.yaml:14: nodes[1].gpus.count: expected a positive integer, got "two"``. The schema is
documented in docs/scenarios.md.

A file may name a ``base`` scenario (bundled name or a path relative to the file): its fields lie
beneath this file's, mappings merge, and ``nodes`` entries with the same ``name`` merge too, so a
fault scenario can be its base plus the one broken thing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from gpusim.model import NodeSpec, Scenario
from gpusim.scenario_apiserver import runtime_config
from gpusim.scenario_cluster import (
    api_faults,
    check_sharing,
    cluster_version,
    device_plugin,
    node_monitor_grace,
    pod_timing,
    runtime_classes,
    unreachable_images,
)
from gpusim.scenario_dra import check_dra_nodes, dra_driver
from gpusim.scenario_gpus import rename_gpus
from gpusim.scenario_nodes import assign_ips, parse_nodes
from gpusim.scenario_yaml import ScenarioError, Value, compose, suggestion

__all__ = ["ScenarioError", "bundled_names", "load", "loads", "scaled"]

TOP_FIELDS = (
    "name",
    "description",
    "base",
    "kubernetes",
    "devicePlugin",
    "runtimeClasses",
    "apiFaults",
    "apiServer",
    "unreachableImages",
    "podTiming",
    "draDriver",
    "defaults",
    "nodes",
)
_BUNDLE = "scenarios"


@dataclass(frozen=True)
class _Document:
    """One file's root mapping with its bases beneath it, and its node entries merged by name."""

    root: Value
    nodes: tuple[Value, ...]


def bundled_names() -> list[str]:
    folder = resources.files("gpusim") / _BUNDLE
    return sorted(
        entry.name.removesuffix(".yaml") for entry in folder.iterdir() if entry.name.endswith(".yaml")
    )


def load(ref: str) -> Scenario:
    """A bundled scenario by name (``"seed"``) or a scenario file by path."""
    text, source, display = _read(ref, relative_to=None)
    return replace(_parse(text, display, _base_dir(source), (source,)), source=source)


def loads(text: str, source: str = "<string>") -> Scenario:
    """A scenario from YAML text; ``source`` names it in error messages and in ``Scenario.source``."""
    return replace(_parse(text, source, None, (source,)), source=source)


def scaled(base: Scenario | str, gpu_nodes: int) -> Scenario:
    """``base`` with exactly ``gpu_nodes`` GPU nodes, for benchmarks.

    The base's GPU nodes are kept (the first ``gpu_nodes`` of them when there are more); the rest
    are copies of its first GPU node, named ``<first>-0001``, ``<first>-0002``, ... with fresh
    loopback addresses and GPU UUIDs. Nodes without GPUs stay as they are.
    """
    scenario = load(base) if isinstance(base, str) else base
    if gpu_nodes < 1:
        raise ValueError(f"gpu_nodes must be positive, got {gpu_nodes}")
    templates = scenario.gpu_nodes
    if not templates:
        raise ValueError(f"scenario {scenario.name} has no GPU node to copy")
    others = tuple(n for n in scenario.nodes if not n.has_gpus)
    kept = templates[:gpu_nodes]
    taken = {n.name for n in scenario.nodes}
    names: list[str] = []
    index = 0
    while len(names) < gpu_nodes - len(kept):
        index += 1
        name = f"{templates[0].name}-{index:04d}"
        if name not in taken:
            names.append(name)
    ips = assign_ips(len(names), (n.internal_ip for n in (*others, *kept)))
    copies = tuple(_copy(templates[0], name, ip) for name, ip in zip(names, ips, strict=True))
    return replace(scenario, name=f"{scenario.name}-x{gpu_nodes}", nodes=(*others, *kept, *copies))


def _copy(node: NodeSpec, name: str, ip: str) -> NodeSpec:
    return replace(node, name=name, internal_ip=ip, gpus=rename_gpus(node.gpus, name))


def _parse(text: str, display: str, base_dir: Path | None, chain: tuple[str, ...]) -> Scenario:
    document = _document(text, display, base_dir, chain)
    fields = document.root.mapping(TOP_FIELDS)
    version = cluster_version(fields.get("kubernetes"))
    nodes_value = fields.require("nodes")
    if not document.nodes:
        raise nodes_value.error("expected at least one node")
    nodes = parse_nodes(document.nodes, fields.get("defaults"), version.git_version)
    plugin_value = fields.get("devicePlugin")
    plugin = device_plugin(plugin_value)
    check_sharing(plugin_value, plugin, nodes)
    dra = dra_driver(fields.get("draDriver"))
    check_dra_nodes(dra, nodes, nodes_value)
    return Scenario(
        name=fields.require("name").nonempty(),
        description=fields.read("description", Value.string, "").strip(),
        version=version,
        nodes=nodes,
        device_plugin=plugin,
        node_monitor_grace_seconds=node_monitor_grace(fields.get("kubernetes")),
        runtime_classes=runtime_classes(fields.get("runtimeClasses")),
        api_faults=api_faults(fields.get("apiFaults")),
        unreachable_images=unreachable_images(fields.get("unreachableImages")),
        pod_timing=pod_timing(fields.get("podTiming")),
        runtime_config=runtime_config(fields.get("apiServer"), version),
        dra_driver=dra,
    )


def _document(text: str, display: str, base_dir: Path | None, chain: tuple[str, ...]) -> _Document:
    root = compose(text, display)
    if root is None:
        raise ScenarioError(
            f"{display}:1: (document): expected a mapping of scenario fields, got an empty file"
        )
    own = root.mapping(TOP_FIELDS)  # this file's own keys, checked where they are written
    nodes = own.get("nodes")
    own_nodes = tuple(nodes.items()) if nodes is not None else ()
    base_value = own.get("base")
    if base_value is None:
        return _Document(root, own_nodes)
    ref = base_value.nonempty("a bundled scenario name or a path")
    try:
        base_text, base_source, base_display = _read(ref, base_dir)
    except ScenarioError as err:
        raise base_value.error(str(err)) from None
    if base_source in chain:
        raise base_value.error(f"base cycle: {' -> '.join((*chain, base_source))}")
    base = _document(base_text, base_display, _base_dir(base_source), (*chain, base_source))
    layered = replace(root, under=(*base.root.under, replace(base.root, under=())))
    return _Document(layered, _merge_nodes(base.nodes, own_nodes))


def _merge_nodes(below: tuple[Value, ...], above: tuple[Value, ...]) -> tuple[Value, ...]:
    """Base entries in their order, each merged with this file's entry of the same name; new ones after."""
    merged = list(below)
    position = {_entry_name(entry): i for i, entry in enumerate(below)}
    for entry in above:
        name = _entry_name(entry)
        if name is not None and name in position:
            lower = merged[position[name]]
            merged[position[name]] = replace(entry, under=(*lower.under, replace(lower, under=())))
        else:
            merged.append(entry)
    return tuple(merged)


def _entry_name(entry: Value) -> str | None:
    if not entry.is_mapping:
        return None
    name = entry.mapping().get("name")
    return name.string() if name is not None and not name.is_null and not name.is_mapping else None


def _read(ref: str, relative_to: Path | None) -> tuple[str, str, str]:
    """(text, Scenario.source, name shown in errors) for a bundled name or a file path."""
    names = bundled_names()
    listing = f"bundled scenarios: {', '.join(names)}"
    if ref in names:
        text = (resources.files("gpusim") / _BUNDLE / f"{ref}.yaml").read_text(encoding="utf-8")
        return text, f"bundled:{ref}", f"{ref}.yaml"
    path = Path(ref) if relative_to is None or Path(ref).is_absolute() else relative_to / ref
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ScenarioError(f"{path}: cannot read scenario file: {err}") from None
        return text, str(path), str(path)
    if "/" in ref or ref.endswith((".yaml", ".yml")):
        raise ScenarioError(f"scenario file not found: {path} ({listing})")
    raise ScenarioError(f"unknown scenario {json.dumps(ref)}{suggestion(ref, names)} ({listing})")


def _base_dir(source: str) -> Path | None:
    return None if source.startswith("bundled:") else Path(source).parent
