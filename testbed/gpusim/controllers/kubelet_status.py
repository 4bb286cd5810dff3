"""The pod status a kubelet reports: container statuses, conditions and phase (kubelet getPhase)."""

from __future__ import annotations

from typing import Any

from ..store import Obj, now_rfc3339
from .containers import ContainerRun, PodRun
from .objects import set_condition
from .pulls import normalize

_CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def container_status(run: ContainerRun) -> dict[str, Any]:
    status: dict[str, Any] = {
        "name": run.name, "state": run.state, "lastState": run.last_state, "ready": run.ready,
        "restartCount": run.restart_count, "image": normalize(str(run.spec.get("image", ""))),
        "imageID": run.image_id, "started": run.started,
    }
    if run.container_id:
        status["containerID"] = run.container_id
    return status


def phase(pod: PodRun, restart_policy: str) -> str:
    """kubelet's getPhase over init and regular containers."""
    if pod.forced_phase:
        return pod.forced_phase
    if not pod.initialized:
        return "Pending"
    waiting = running = stopped = succeeded = 0
    for c in pod.regular():
        if c.running:
            running += 1
        elif c.terminated is not None:
            stopped += 1
            succeeded += c.terminated.get("exitCode") == 0
        elif c.last_state.get("terminated"):
            stopped += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running:
        return "Running"
    if restart_policy == "Always":
        return "Running"
    if stopped == succeeded:
        return "Succeeded"
    return "Running" if restart_policy == "OnFailure" else "Failed"


def _not_ready(names: list[str], done: bool, kind: str, reason: str) -> dict[str, Any]:
    if done:
        return {"status": "False", "reason": "PodCompleted"}
    label = "incomplete" if kind == "init" else "unready"
    message = f"containers with {label} status: [{' '.join(names)}]"
    return {"status": "False", "reason": reason, "message": message}


def conditions(pod: PodRun, current: list[dict[str, Any]], pod_phase: str,
               with_ready_to_start: bool) -> list[dict[str, Any]]:
    now = now_rfc3339()
    result = [dict(c) for c in current]
    succeeded = pod_phase == "Succeeded"
    terminal = pod_phase in ("Succeeded", "Failed")
    updates: list[dict[str, Any]] = []
    if with_ready_to_start:
        ready_to_start = pod.sandbox_ready and not terminal
        updates.append({"type": "PodReadyToStartContainers", "status": "True" if ready_to_start else "False"})
    pending_init = pod.init_names[pod.next_init:]
    if pod.initialized:
        completed = {"reason": "PodCompleted"} if succeeded else {}
        updates.append({"type": "Initialized", "status": "True", **completed})
    else:
        updates.append({"type": "Initialized",
                        **_not_ready(pending_init, False, "init", "ContainersNotInitialized")})
    unready = [c.name for c in pod.regular() if not c.ready]
    for kind in ("Ready", "ContainersReady"):
        if unready or succeeded:
            updates.append({"type": kind, **_not_ready(unready, succeeded, "app", "ContainersNotReady")})
        else:
            updates.append({"type": kind, "status": "True"})
    for update in updates:
        set_condition(result, {**update, "lastProbeTime": None}, now)
    return sorted(result, key=_condition_rank)


def _condition_rank(cond: dict[str, Any]) -> int:
    kind = cond["type"]
    return _CONDITION_ORDER.index(kind) if kind in _CONDITION_ORDER else len(_CONDITION_ORDER)


def pod_status(pod: PodRun, obj: Obj, host_ip: str, with_ready_to_start: bool) -> dict[str, Any]:
    status: dict[str, Any] = dict(obj.get("status") or {})
    pod_phase = phase(pod, obj["spec"].get("restartPolicy", "Always"))
    status["phase"] = pod_phase
    status["conditions"] = conditions(pod, status.get("conditions") or [], pod_phase, with_ready_to_start)
    status["hostIP"], status["hostIPs"] = host_ip, [{"ip": host_ip}]
    if pod.pod_ip:
        status["podIP"], status["podIPs"] = pod.pod_ip, [{"ip": pod.pod_ip}]
    status["startTime"] = pod.start_time
    if pod.init_names:
        status["initContainerStatuses"] = [container_status(pod.containers[n]) for n in pod.init_names]
    status["containerStatuses"] = [container_status(c) for c in pod.regular()]
    for key in ("reason", "message"):
        value = getattr(pod, key)
        if value:
            status[key] = value
    return status
