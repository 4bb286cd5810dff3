"""What has already happened on each node while the simulated cluster runs: a device plugin's first start there.

A scenario's ``host.afterPluginStart`` changes (a file deleted, a GPU replaced) happen once, right after the first
device plugin container on the node has started and written its CDI spec; a plugin started later (its pod
deleted and recreated, say) finds the host as it is after them.
"""

from __future__ import annotations

import threading


class HostHistory:
    def __init__(self) -> None:
        self._started: set[str] = set()
        self._lock = threading.Lock()

    def plugin_starts(self, node: str) -> bool:
        """A device plugin starts on ``node``: is it the first one there?"""
        with self._lock:
            first = node not in self._started
            self._started.add(node)
            return first
