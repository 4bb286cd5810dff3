"""The pod printer: READY, STATUS (as kubectl derives it), RESTARTS with the last restart's age."""

from __future__ import annotations

import time
from typing import Any

from .columns import Column, age_column, column, name_column
from .duration import human_duration, parse_time, since
from .formatting import NONE

Obj = dict[str, Any]

COLUMNS: list[Column] = [
    name_column(),
    column("Ready", description="The aggregate readiness state of this pod for accepting traffic."),
    column("Status", description="The aggregate status of the containers in this pod."),
    column(
        "Restarts",
        description="The number of times the containers in this pod have been restarted and when "
        "the last container in this pod has restarted.",
    ),
    age_column(),
    column(
        "IP",
        priority=1,
        description="podIP is an IP address allocated to the pod. Routable at least within "
        "the cluster. Empty if not yet allocated.",
    ),
    column(
        "Node",
        priority=1,
        description="nodeName indicates in which node this pod is scheduled. If empty, "
        "this pod is a candidate for scheduling by the scheduler defined in schedulerName.",
    ),
    column(
        "Nominated Node",
        priority=1,
        description="nominatedNodeName is set only when this pod preempts "
        "other pods on the node, but it cannot be scheduled right away as preemption victims receive their "
        "graceful termination periods.",
    ),
    column(
        "Readiness Gates",
        priority=1,
        description="If specified, all readiness gates will be evaluated for pod readiness.",
    ),
]

SUCCEEDED_CONDITIONS = [
    {
        "type": "Completed",
        "status": "True",
        "reason": "Succeeded",
        "message": "The pod has completed successfully.",
    }
]
FAILED_CONDITIONS = [
    {"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}
]


def _terminated_reason(terminated: Obj, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + str(terminated["reason"])
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _init_reason(pod: Obj) -> str | None:
    """The STATUS while init containers run (``Init:0/1``, ``Init:Error``...), or None when done."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    total = len(spec.get("initContainers") or [])
    for index, entry in enumerate(status.get("initContainerStatuses") or []):
        state = entry.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode") == 0:
            continue
        if terminated is not None:
            return _terminated_reason(terminated, "Init:")
        if waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            return "Init:" + str(waiting["reason"])
        return f"Init:{index}/{total}"
    return None


def _has_condition(status: Obj, kind: str) -> bool:
    return any(c.get("type") == kind and c.get("status") == "True" for c in status.get("conditions") or [])


def pod_row(pod: Obj) -> tuple[list[Any], list[Obj] | None]:
    spec, status, meta = pod.get("spec") or {}, pod.get("status") or {}, pod["metadata"]
    reason = status.get("reason") or status.get("phase") or ""
    if any(
        c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated"
        for c in status.get("conditions") or []
    ):
        reason = "SchedulingGated"
    restarts, last_restart, ready = 0, 0.0, 0
    for entry in status.get("initContainerStatuses") or []:
        restarts += entry.get("restartCount", 0)
    init = _init_reason(pod)
    if init is not None and not _has_condition(status, "Initialized"):
        reason = init
    else:
        restarts, has_running = 0, False
        for entry in reversed(status.get("containerStatuses") or []):
            restarts += entry.get("restartCount", 0)
            last = (entry.get("lastState") or {}).get("terminated") or {}
            if last.get("finishedAt"):
                last_restart = max(last_restart, parse_time(last["finishedAt"]))
            state = entry.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif entry.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _has_condition(status, "Ready") else "NotReady"
    if meta.get("deletionTimestamp"):
        phase = status.get("phase")
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    restart_text = str(restarts)
    if restarts and last_restart:
        restart_text = f"{restarts} ({human_duration(time.time() - last_restart)} ago)"
    ips = status.get("podIPs") or ([{"ip": status["podIP"]}] if status.get("podIP") else [])
    gates = spec.get("readinessGates") or []
    gates_text = NONE
    if gates:
        true_types = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
        gates_text = f"{sum(1 for g in gates if g.get('conditionType') in true_types)}/{len(gates)}"
    cells = [
        meta["name"],
        f"{ready}/{len(spec.get('containers') or [])}",
        reason,
        restart_text,
        since(meta.get("creationTimestamp")),
        ips[0]["ip"] if ips else NONE,
        spec.get("nodeName") or NONE,
        status.get("nominatedNodeName") or NONE,
        gates_text,
    ]
    phase = status.get("phase")
    conditions = (
        SUCCEEDED_CONDITIONS if phase == "Succeeded" else FAILED_CONDITIONS if phase == "Failed" else None
    )
    return cells, conditions
