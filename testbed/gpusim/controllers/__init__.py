"""The simulated cluster's controllers: scheduler, kubelet, workload controllers, GC, namespaces."""

from .manager import ControllerManager

__all__ = ["ControllerManager"]
