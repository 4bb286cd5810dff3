"""A new GPU node held back until it proved the chain, then let in: the node-admission gate's cluster side.

A node is held back when it is cordoned (``spec.unschedulable``) or carries the admission taint the
platform team chose (``--admission-taint KEY``). Only a node that is held back can be gated: a node
already taking workloads has nothing to be admitted to. Letting it in removes exactly what held it
back and labels it, in one patch guarded by the resourceVersion that was checked, so a node changed
meanwhile by someone else is not overwritten.
"""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass
from typing import Any

from kubernetes.client.exceptions import ApiException

from ..errors import UsageError
from .client import Connection
from .errors import api_message

UNSCHEDULABLE_KEY = "node.kubernetes.io/unschedulable"  # the taint a cordon adds
UNSCHEDULABLE_TAINT = f"{UNSCHEDULABLE_KEY}:NoSchedule"  # tolerating it reaches cordoned nodes
DEFAULT_LABEL_KEY = "gpu-conformance/validated"


@dataclass(frozen=True)
class Hold:
    """How a node is held back, as read at ``resource_version``."""

    node: str
    resource_version: str
    cordoned: bool
    taints: tuple[dict[str, str], ...]  # the admission taints found (one key, possibly several effects)
    other_taints: tuple[dict[str, str], ...]  # every other taint, kept as it is

    @property
    def tolerations(self) -> tuple[str, ...]:
        """``--tolerate-taint`` values that let the suite's pods onto the held-back node."""
        found = [UNSCHEDULABLE_TAINT] if self.cordoned else []
        for taint in self.taints:
            value = f"={taint['value']}" if taint.get("value") else ""
            found.append(f"{taint['key']}{value}:{taint['effect']}")
        return tuple(found)

    def changes(self, label: tuple[str, str]) -> list[str]:
        """What letting the node in does, in kubectl's terms."""
        done = [f"remove taint {t['key']}:{t['effect']}" for t in self.taints]
        if self.cordoned:
            done.append("uncordon")
        return [*done, f"label {label[0]}={label[1]}"]


def _taint(taint: Any) -> dict[str, str]:
    found = {"key": taint.key, "effect": taint.effect}
    if taint.value:
        found["value"] = taint.value
    return found


def read_hold(connection: Connection, node: str, taint_key: str | None) -> Hold:
    """How ``node`` is held back; a one-line UsageError when it does not exist or is not held back."""
    try:
        found = connection.core.read_node(node)
    except ApiException as err:
        if err.status == 404:
            raise UsageError(f"node {node!r} not found{_did_you_mean(connection, node)}") from None
        raise UsageError(f"cannot read node {node!r}: {api_message(err)}") from None
    taints = [_taint(t) for t in found.spec.taints or []]
    mine = tuple(t for t in taints if taint_key is not None and t["key"] == taint_key)
    hold = Hold(node, found.metadata.resource_version, bool(found.spec.unschedulable), mine,
                tuple(t for t in taints if t not in mine and t["key"] != UNSCHEDULABLE_KEY))
    if not hold.cordoned and not hold.taints:
        how = f"cordon it or taint it with {taint_key}" if taint_key else "cordon it (or pass --admission-taint KEY)"
        raise UsageError(f"node {node!r} is not held back (schedulable, no admission taint): {how} before gating "
                         "it; the gate only admits nodes that are not yet taking workloads")
    return hold


def _did_you_mean(connection: Connection, node: str) -> str:
    try:
        names = [n.metadata.name for n in connection.core.list_node().items]
    except ApiException:
        return ""
    close = difflib.get_close_matches(node, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def admit(connection: Connection, hold: Hold, label: tuple[str, str]) -> None:
    """Remove what held the node back and label it, only if the node is unchanged since ``hold`` was read."""
    body: dict[str, Any] = {
        "metadata": {"resourceVersion": hold.resource_version, "labels": {label[0]: label[1]}},
        "spec": {"taints": list(hold.other_taints)},
    }
    if hold.cordoned:
        body["spec"]["unschedulable"] = None
    try:
        connection.core.patch_node(hold.node, body)
    except ApiException as err:
        if err.status == 409:
            raise UsageError(f"node {hold.node!r} changed while it was being checked (resourceVersion "
                             f"{hold.resource_version} is stale): nothing was changed; run the gate again") from None
        raise UsageError(f"cannot admit node {hold.node!r}: {api_message(err)}") from None


def validated_label(spec: str | None, today: datetime.date | None = None) -> tuple[str, str]:
    """``--label KEY=VALUE`` (default ``gpu-conformance/validated=<date>``), checked as Kubernetes does."""
    if spec is None:
        return DEFAULT_LABEL_KEY, (today or datetime.date.today()).isoformat()
    key, sep, value = spec.partition("=")
    if not sep or not key or len(value) > 63 or not all(c.isalnum() or c in "-_." for c in value) or (
            value and not (value[0].isalnum() and value[-1].isalnum())):
        raise UsageError(f"--label {spec!r}: expected KEY=VALUE with a valid label value "
                         "(at most 63 characters: letters, digits, '-', '_', '.', starting and ending alphanumeric)")
    return key, value
