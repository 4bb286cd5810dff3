"""A node's ``sharing:`` (the device plugin's sharing config) and ``unhealthyGpus:``.

``sharing`` is written as in the plugin's config file (``sharing.timeSlicing`` or ``sharing.mps``
with ``renameByDefault`` and ``resources[].replicas``) and checked as the plugin checks it
(api/config/v1/replicas.go: replicas must be >= 2; MPS refuses MIG).
"""

from __future__ import annotations

from gpusim.model import Gpu, GpuSharing, SharingStrategy
from gpusim.scenario_yaml import Value

SHARING_FIELDS = ("timeSlicing", "mps")
REPLICATED_FIELDS = ("renameByDefault", "resources")
RESOURCE_FIELDS = ("name", "replicas")
_STRATEGIES: dict[str, SharingStrategy] = {"timeSlicing": "time-slicing", "mps": "mps"}
_SHARED_RESOURCE = "nvidia.com/gpu"


def parse_sharing(value: Value, gpus: tuple[Gpu, ...]) -> GpuSharing | None:
    if value.is_null:
        return None
    fields = value.mapping(SHARING_FIELDS)
    given = [key for key in SHARING_FIELDS if key in fields]
    if len(given) != 1:
        raise value.error("expected exactly one of timeSlicing, mps")
    key = given[0]
    section = fields.require(key)
    replicated = section.mapping(REPLICATED_FIELDS)
    resources = replicated.require("resources")
    items = resources.items()
    if len(items) != 1:
        raise resources.error(f"expected one resource ({_SHARED_RESOURCE}): the simulation shares full GPUs only")
    resource = items[0].mapping(RESOURCE_FIELDS)
    resource.require("name").choice((_SHARED_RESOURCE,))
    replicas = resource.require("replicas").integer(minimum=2)
    if any(gpu.mig_devices for gpu in gpus):
        raise section.error("sharing of MIG devices is not simulated (and MPS refuses MIG)")
    return GpuSharing(
        strategy=_STRATEGIES[key],
        replicas=replicas,
        rename_by_default=replicated.read("renameByDefault", Value.boolean, False),
    )


# The Xids NVIDIA's device plugin skips as the application's errors, not the GPU's (internal/rm/health.go
# ``skippedXids``): a GPU that reports one of them stays healthy.
PLUGIN_SKIPPED_XIDS = (13, 31, 43, 45, 68, 109)


def parse_unhealthy_xid(value: Value) -> int:
    """The critical Xid behind ``unhealthyGpus``: one the plugin skips would never have made a GPU unhealthy."""
    xid = value.integer(minimum=1)
    if xid in PLUGIN_SKIPPED_XIDS:
        raise value.error(f"Xid {xid} is an application error the device plugin skips (internal/rm/health.go "
                          f"skippedXids {', '.join(map(str, PLUGIN_SKIPPED_XIDS))}): no GPU turns unhealthy on it")
    return xid


def parse_unhealthy(value: Value, gpus: tuple[Gpu, ...]) -> tuple[int, ...]:
    """GPU indices the plugin marked Unhealthy (an XID error); each must be one of the node's GPUs."""
    indices = tuple(item.integer(minimum=0, maximum=len(gpus) - 1) for item in value.items())
    if len(set(indices)) != len(indices):
        raise value.error("a GPU index is listed twice")
    return indices
