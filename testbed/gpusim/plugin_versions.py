"""Which k8s-device-plugin release brought which feature (its CHANGELOG)."""

from __future__ import annotations

TIME_SLICING_SINCE = (0, 12, 0)  # sharing.timeSlicing in the config file
MPS_SINCE = (0, 15, 0)  # sharing.mps, and the nvidia.com/gpu.sharing-strategy and mps.capable labels
HELM_CDI_ROOT_SINCE = (0, 15, 0)  # the chart mounts the host's /var/run/cdi (volume cdi-root)


def plugin_release(version: str) -> tuple[int, ...]:
    """``"v0.14.3"`` -> ``(0, 14, 3)``; a pre-release suffix (``-rc.1``) is ignored."""
    return tuple(int(part) for part in version.lstrip("v").split("-")[0].split("."))
