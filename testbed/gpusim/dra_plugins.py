"""Which DRA kubelet plugins have registered with each node's kubelet (the plugin registration socket under
/var/lib/kubelet/plugins_registry).

A DRA driver's kubelet plugin registers once its container runs and stays registered until it exits; the kubelet
asks a registered plugin to prepare a pod's allocated claims (NodePrepareResources) before the pod's containers
start, and a claim of a driver with no registered plugin on the node cannot be prepared.
"""

from __future__ import annotations

import threading


class DraPlugins:
    def __init__(self) -> None:
        self._drivers: dict[str, dict[str, str]] = {}  # node -> plugin pod uid -> driver name
        self._lock = threading.Lock()

    def register(self, node: str, plugin_uid: str, driver: str) -> None:
        with self._lock:
            self._drivers.setdefault(node, {})[plugin_uid] = driver

    def unregister(self, node: str, plugin_uid: str) -> None:
        with self._lock:
            self._drivers.get(node, {}).pop(plugin_uid, None)

    def registered(self, node: str, driver: str) -> bool:
        with self._lock:
            return driver in self._drivers.get(node, {}).values()
