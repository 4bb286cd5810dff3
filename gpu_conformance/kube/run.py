"""One run of the suite in the cluster: its id and the labels every object it creates carries."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "gpu-conformance"
RUN_ID = "gpu-conformance/run-id"
COMPONENT = "app.kubernetes.io/component"
NODE_ANNOTATION = "gpu-conformance/node"  # the node a pod is for (names can be longer than a label value)
# A run renews its Lease (heartbeat.py) every few seconds; one whose Lease is this old is dead, and what it left
# goes at once. Objects of no Lease at all wait as long: they may be a new run's whose Lease was not seen yet.
LEASE_SECONDS = 6
_NAME_LIMIT = 63  # a Job's name becomes a label value; keep pod names to the same limit


def _new_run_id() -> str:
    return secrets.token_hex(3)  # six hex digits: short in object names, unique enough per cluster


@dataclass
class RunContext:
    """This run's id, and whether it created the namespace (then cleanup may remove it) or found it there."""

    run_id: str = field(default_factory=_new_run_id)
    created_namespace: bool = False
    namespace_ready: bool = False  # made or found once: each later gathering skips the call

    @property
    def labels(self) -> dict[str, str]:
        return {MANAGED_BY: MANAGER, RUN_ID: self.run_id}

    def component_labels(self, component: str) -> dict[str, str]:
        return {**self.labels, COMPONENT: component}

    def selector(self, component: str | None = None) -> str:
        labels = self.component_labels(component) if component else self.labels
        return ",".join(f"{k}={v}" for k, v in labels.items())

    def object_name(self, prefix: str, node: str) -> str:
        """``<prefix>-<node>-<run id>``, a DNS label; long node names are cut and made unique by a hash."""
        node_part = re.sub(r"[^a-z0-9-]", "-", node.lower()).strip("-")
        room = _NAME_LIMIT - len(prefix) - len(self.run_id) - 2
        if len(node_part) > room:
            digest = hashlib.sha256(node.encode()).hexdigest()[:6]
            node_part = node_part[: room - 7].rstrip("-") + "-" + digest
        return f"{prefix}-{node_part}-{self.run_id}"
