"""The ``draDriver`` section (NVIDIA's DRA driver for GPUs, cluster-wide) and each node's ``dra`` key (its kubelet
plugin's faults). Without ``draDriver`` the cluster has no DRA driver and a node's ``dra`` key is refused."""

from __future__ import annotations

import re
from typing import cast

from gpusim.model import DraDriverSetup, DraNodeSetup, DraPluginHealth, DraStyle, Gpu, NodeSpec
from gpusim.scenario_host import DRIVER_VERSION
from gpusim.scenario_sharing import parse_unhealthy
from gpusim.scenario_yaml import Value

DRA_FIELDS = ("version", "style", "deviceClasses", "featureGates", "gpuClassSelector", "deviceTaints")
DRA_NODE_FIELDS = ("plugin", "omitGpus", "driverVersion", "xid")
DRA_STYLES = ("helm", "gpu-operator")
DRA_PLUGIN_HEALTH = ("auto", "crashloop")
# The chart's DeviceClasses with resources.gpus.enabled (templates/deviceclass-{gpu,mig,vfio-gpu}.yaml).
DEVICE_CLASSES = DraDriverSetup.device_classes
_VERSION = re.compile(r"v\d+\.\d+\.\d+(-rc\.\d+)?")


def dra_driver(value: Value | None) -> DraDriverSetup | None:
    if value is None or value.is_null:
        return None
    fields = value.mapping(DRA_FIELDS)
    default = DraDriverSetup()
    return DraDriverSetup(
        version=fields.read("version", lambda v: v.matching(_VERSION, 'a release like "v25.12.0"'), default.version),
        style=cast(DraStyle, fields.choice("style", DRA_STYLES, default.style)),
        device_classes=fields.read("deviceClasses", _device_classes, default.device_classes),
        feature_gates=fields.read("featureGates", _feature_gates, default.feature_gates),
        gpu_class_selector=fields.read("gpuClassSelector", Value.nonempty, None),
        device_taints=fields.read("deviceTaints", Value.boolean, default.device_taints),
    )


def _device_classes(value: Value) -> tuple[str, ...]:
    names = tuple(item.choice(DEVICE_CLASSES) for item in value.items())
    if len(set(names)) != len(names):
        raise value.error("a DeviceClass is listed twice")
    return names


def _feature_gates(value: Value) -> tuple[tuple[str, bool], ...]:
    fields = value.mapping()
    return tuple((key, entry.boolean()) for key, entry in fields.entries.items())


def dra_node(value: Value | None, gpus: tuple[Gpu, ...]) -> DraNodeSetup:
    """A node's ``dra`` key; omitGpus names GPU indices of this node."""
    if value is None or value.is_null:
        return DraNodeSetup()
    fields = value.mapping(DRA_NODE_FIELDS)
    omit_value = fields.get("omitGpus")
    if omit_value is not None and not gpus:
        raise omit_value.error("omitGpus needs GPUs; this node has no gpus")
    no_indices: tuple[int, ...] = ()
    return DraNodeSetup(
        plugin=cast(DraPluginHealth, fields.choice("plugin", DRA_PLUGIN_HEALTH, "auto")),
        omit_gpus=fields.read("omitGpus", lambda v: parse_unhealthy(v, gpus), no_indices),
        driver_version=fields.read(
            "driverVersion", lambda v: v.matching(DRIVER_VERSION, 'a driver version like "535.54.03"'), None),
        xid=fields.read("xid", lambda v: v.integer(minimum=1), DraNodeSetup.xid),
    )


def check_dra_nodes(driver: DraDriverSetup | None, nodes: tuple[NodeSpec, ...], nodes_value: Value) -> None:
    """A node's ``dra`` faults need the driver installed."""
    if driver is not None:
        return
    for node in nodes:
        if node.dra != DraNodeSetup():
            raise nodes_value.error(f"node {node.name}: dra needs a draDriver section (no DRA driver is installed)")
