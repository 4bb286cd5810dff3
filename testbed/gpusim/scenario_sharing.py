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


def parse_unhealthy(value: Value, gpus: tuple[Gpu, ...]) -> tuple[int, ...]:
    """GPU indices the plugin marked Unhealthy (an XID error); each must be one of the node's GPUs."""
    indices = tuple(item.integer(minimum=0, maximum=len(gpus) - 1) for item in value.items())
    if len(set(indices)) != len(indices):
        raise value.error("a GPU index is listed twice")
    return indices
