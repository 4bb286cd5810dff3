"""A deleted pod's directory, removed off the controllers' thread, as the kubelet's housekeeping removes it.

The real kubelet does not remove /var/lib/kubelet/pods/UID in the pod's teardown: its housekeeping
(cleanupOrphanedPodDirs, every two seconds) removes the directories of pods it no longer runs. Here one thread
removes each directory as soon as it is handed over. A container's view holds a few hundred files; removing
them on the controllers' thread held every controller up (a fifth of that thread's time in a run at 300 nodes).
"""

from __future__ import annotations

import queue
import shutil
import threading
from pathlib import Path


class PodDirectories:
    """Removes pod directories in a thread of its own, started with the first; ``stop`` removes what is left."""

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Path | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def remove(self, directory: Path) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sim-pod-housekeeping", daemon=True)
                self._thread.start()
        self._queue.put(directory)

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)

    def _run(self) -> None:
        while (directory := self._queue.get()) is not None:
            shutil.rmtree(directory, ignore_errors=True)
