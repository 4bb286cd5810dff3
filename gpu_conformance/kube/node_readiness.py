"""Which of some nodes are no longer Ready, read while their pods wait (follow_pods.py asks).

One list call for all of them: a pod bound to a node whose kubelet stopped stays Pending and produces no
change for the pod watch to see, so the nodes themselves are read.
"""

from __future__ import annotations

from collections.abc import Callable

from gpu_conformance.facts.gpu_nodes import readiness

from .client import Connection


def not_ready_nodes(conn: Connection) -> Callable[[list[str]], dict[str, str]]:
    """For follow_pods: the given nodes that are not Ready now, each with its one-line NotReady sentence."""

    def check(names: list[str]) -> dict[str, str]:
        wanted = set(names)
        found = {}
        for node in conn.core.list_node().items:
            name = node.metadata.name
            state = readiness(node)
            if name in wanted and not state.ready:
                found[name] = state.not_ready(name)
        return found

    return check
