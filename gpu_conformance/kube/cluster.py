"""Cluster-wide facts, one list call per kind: the GPU nodes to check and the RuntimeClasses."""

from __future__ import annotations

import dataclasses
import difflib
from typing import Any

from kubernetes.client.exceptions import ApiException

from gpu_conformance.facts.gpu_nodes import NO_DRA, DraSignals, GpuNode, find_gpu_nodes, gpu_node

from ..errors import UsageError
from ..settings import Settings
from .client import Connection
from .errors import api_message, denial
from .plugin import plugin_pod_nodes

NAMED_BY_NODE_OPTION = "named by --gpu-node"


def gpu_nodes(conn: Connection, settings: Settings, dra: DraSignals = NO_DRA) -> list[GpuNode]:
    """The GPU nodes to check: every GPU node, or those named by --gpu-node (which are checked as GPU nodes).

    A device plugin pod scheduled on a node marks it too, so a node whose plugin registers nothing is checked;
    so do the devices its ResourceSlices publish and a DRA kubelet-plugin pod there (``dra``, kube/dra.py).
    """
    nodes = conn.core.list_node().items
    selected: set[str] = set()
    if settings.gpu_node_selector:
        try:
            matching = conn.core.list_node(label_selector=settings.gpu_node_selector).items
        except ApiException as err:
            if err.status != 400:
                raise
            raise UsageError(
                f"--gpu-node-selector {settings.gpu_node_selector!r}: {api_message(err)}"
            ) from err
        selected = {n.metadata.name for n in matching}
    found = find_gpu_nodes(nodes, lambda node: node.metadata.name in selected, _plugin_pods(conn, settings), dra)
    return _requested(found, nodes, settings.node, selected) if settings.node else found


def _plugin_pods(conn: Connection, settings: Settings) -> dict[str, str]:
    """Nodes running a device plugin pod; none when the plugin may not be listed (RBAC): that is a signal less,
    and the plugin checks themselves say "could not inspect" with the missing permission."""
    try:
        return plugin_pod_nodes(conn, settings)
    except ApiException as err:
        if denial(err) is None:
            raise
        return {}


def _requested(
    found: list[GpuNode], nodes: list[Any], names: tuple[str, ...], selected: set[str]
) -> list[GpuNode]:
    """The --gpu-node subset. A named node nothing marks as a GPU node is still checked: the user says so."""
    by_name = {n.name: n for n in found}
    all_nodes = {n.metadata.name: n for n in nodes}
    chosen: list[GpuNode] = []
    for name in dict.fromkeys(names):
        if name in by_name:
            chosen.append(by_name[name])
        elif name in all_nodes:
            plain = gpu_node(all_nodes[name], matched_selector=True)
            assert plain is not None  # matched_selector alone makes it one
            chosen.append(dataclasses.replace(plain, why=(NAMED_BY_NODE_OPTION,)))
        else:
            raise UsageError(unknown_node_message(name, list(all_nodes), [n.name for n in found]))
    return sorted(chosen, key=lambda n: n.name)


def unknown_node_message(name: str, all_names: list[str], gpu_names: list[str]) -> str:
    close = difflib.get_close_matches(name, all_names, n=3, cutoff=0.6)
    if close:
        hint = "did you mean " + " or ".join(repr(c) for c in close) + "?"
    else:
        shown = ", ".join(gpu_names[:10]) + (
            f", ... ({len(gpu_names)} in all)" if len(gpu_names) > 10 else ""
        )
        hint = f"GPU nodes: {shown}" if gpu_names else "the cluster has no GPU nodes"
    return f"--gpu-node {name}: no such node ({hint})"


def runtime_classes(conn: Connection) -> dict[str, str]:
    """RuntimeClass name -> handler (node.k8s.io/v1); empty where the API does not serve them."""
    try:
        items = conn.node.list_runtime_class().items
    except ApiException as err:
        if err.status == 404:
            return {}
        raise
    return {rc.metadata.name: rc.handler for rc in items}
