"""The checks as data: an id, what the tutorial requires, and how to fix it (kube-bench style).

Conformance tests and requirement functions refer to checks by these objects; the report and the
failure messages take their wording from here, so it is written once. Titles and requirements are
templates filled from the run's Settings (``{min_driver}``), so they state the thresholds the verdict
applies. ``depends_on`` names the checks whose failure explains this one's, as the tutorial chains them.
``level`` says whether the check is a link of the tutorial's chain (``tutorial``) or goes beyond it
(``hardening``); every entry chooses one (docs/adding-a-check.md says how).

Each area's checks live in a module of this package; ``CHECKS`` lists them all in the order the report
shows them.
"""

from __future__ import annotations

from .alert_rules import RULES_CAN_FIRE, RULES_METRICS_EXIST, RULES_UNIT_TESTS, RULES_VALID
from .capacity import CAPACITY_ADVERTISED, CAPACITY_GPU_NODES, CAPACITY_MATCHES_GPUS
from .device_plugin import PLUGIN_DAEMONSET_READY, PLUGIN_DEPLOYED, PLUGIN_MANIFEST, PLUGIN_POD_READY
from .diagnostics import DIAG_DCGM, PERF_BANDWIDTH, PERF_NCCL
from .dra import (
    DRA_API,
    DRA_DEVICECLASS,
    DRA_DEVICES_HEALTHY,
    DRA_DRIVER_READY,
    DRA_HELM_INSTALL,
    DRA_SECURE_ACCESS,
    DRA_SLICES_MATCH_GPUS,
    DRA_VECTORADD,
)
from .health import HEALTH_ALLOCATABLE, HEALTH_CGROUP_DEVICES, HEALTH_FABRIC, HEALTH_XID
from .isolation import ISOLATION_FIX, SEC_CONTAINER_ISOLATION, SEC_ENV_NO_GPU, SEC_NO_REQUEST_NO_GPU, SEC_POD_ISOLATION
from .model import GPU_REQUESTS, LEVELS, Area, Check, GpuRequest, Level, Severity
from .monitoring import (
    MON_DASHBOARD_METRICS,
    MON_EXPORTER_DRIVER,
    MON_EXPORTER_GPUS,
    MON_EXPORTER_UP,
    MON_GRAFANA_DASHBOARD,
    MON_PROM_CONFIG_VALID,
    MON_PROM_LIVE_RULES,
    MON_PROM_LIVE_TARGETS_UP,
    MON_PROM_TARGETS,
)
from .prerequisites import (
    CDI_SPEC,
    NODE_READY,
    PRE_DRIVER,
    PRE_K8S_VERSION,
    PRE_KUBELET_VERSION,
    PRE_RUNTIME_DEFAULT,
    PRE_TOOLKIT,
    TOOLKIT_INSTALL,
)
from .workload import WORKLOAD_DRIVER_FITS_IMAGE, WORKLOAD_VECTORADD

CHECKS: tuple[Check, ...] = (
    NODE_READY, PRE_K8S_VERSION, PRE_KUBELET_VERSION, PRE_DRIVER, PRE_TOOLKIT, PRE_RUNTIME_DEFAULT, CDI_SPEC,
    PLUGIN_DEPLOYED, PLUGIN_DAEMONSET_READY, PLUGIN_POD_READY,
    CAPACITY_GPU_NODES, CAPACITY_ADVERTISED, CAPACITY_MATCHES_GPUS, HEALTH_ALLOCATABLE, HEALTH_XID, HEALTH_FABRIC,
    HEALTH_CGROUP_DEVICES,
    DRA_API, DRA_DEVICECLASS, DRA_DRIVER_READY, DRA_SLICES_MATCH_GPUS, DRA_DEVICES_HEALTHY, DRA_VECTORADD,
    WORKLOAD_VECTORADD, WORKLOAD_DRIVER_FITS_IMAGE, DIAG_DCGM, PERF_BANDWIDTH, PERF_NCCL,
    SEC_NO_REQUEST_NO_GPU, SEC_ENV_NO_GPU, SEC_CONTAINER_ISOLATION, SEC_POD_ISOLATION, DRA_SECURE_ACCESS,
    MON_EXPORTER_UP, MON_EXPORTER_GPUS, MON_EXPORTER_DRIVER, MON_DASHBOARD_METRICS,
    MON_PROM_CONFIG_VALID, MON_PROM_TARGETS, MON_PROM_LIVE_TARGETS_UP, MON_PROM_LIVE_RULES, MON_GRAFANA_DASHBOARD,
    RULES_VALID, RULES_UNIT_TESTS, RULES_CAN_FIRE, RULES_METRICS_EXIST,
)
_BY_ID = {check.id: check for check in CHECKS}


def by_id(check_id: str) -> Check:
    """The check with this id; KeyError naming the known ids otherwise."""
    try:
        return _BY_ID[check_id]
    except KeyError:
        raise KeyError(f"unknown check {check_id!r} (known: {', '.join(_BY_ID)})") from None


__all__ = [
    "CAPACITY_ADVERTISED",
    "CAPACITY_GPU_NODES",
    "CAPACITY_MATCHES_GPUS",
    "CDI_SPEC",
    "CHECKS",
    "DIAG_DCGM",
    "DRA_API",
    "DRA_DEVICECLASS",
    "DRA_DEVICES_HEALTHY",
    "DRA_DRIVER_READY",
    "DRA_HELM_INSTALL",
    "DRA_SECURE_ACCESS",
    "DRA_SLICES_MATCH_GPUS",
    "DRA_VECTORADD",
    "GPU_REQUESTS",
    "HEALTH_ALLOCATABLE",
    "HEALTH_CGROUP_DEVICES",
    "HEALTH_FABRIC",
    "HEALTH_XID",
    "ISOLATION_FIX",
    "LEVELS",
    "MON_DASHBOARD_METRICS",
    "MON_EXPORTER_DRIVER",
    "MON_EXPORTER_GPUS",
    "MON_EXPORTER_UP",
    "MON_GRAFANA_DASHBOARD",
    "MON_PROM_CONFIG_VALID",
    "MON_PROM_LIVE_RULES",
    "MON_PROM_LIVE_TARGETS_UP",
    "MON_PROM_TARGETS",
    "NODE_READY",
    "PERF_BANDWIDTH",
    "PERF_NCCL",
    "PLUGIN_DAEMONSET_READY",
    "PLUGIN_DEPLOYED",
    "PLUGIN_MANIFEST",
    "PLUGIN_POD_READY",
    "PRE_DRIVER",
    "PRE_K8S_VERSION",
    "PRE_KUBELET_VERSION",
    "PRE_RUNTIME_DEFAULT",
    "PRE_TOOLKIT",
    "RULES_CAN_FIRE",
    "RULES_METRICS_EXIST",
    "RULES_UNIT_TESTS",
    "RULES_VALID",
    "SEC_CONTAINER_ISOLATION",
    "SEC_ENV_NO_GPU",
    "SEC_NO_REQUEST_NO_GPU",
    "SEC_POD_ISOLATION",
    "TOOLKIT_INSTALL",
    "WORKLOAD_DRIVER_FITS_IMAGE",
    "WORKLOAD_VECTORADD",
    "Area",
    "Check",
    "GpuRequest",
    "Level",
    "Severity",
    "by_id",
]
