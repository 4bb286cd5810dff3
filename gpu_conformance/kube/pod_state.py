"""What a pod's status says, read from the official client's typed V1Pod: phase, containers, conditions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .run import NODE_ANNOTATION

IMAGE_PULL_FAILURES = ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull")
START_FAILURES = ("CreateContainerConfigError", "CreateContainerError", "RunContainerError")


@dataclass(frozen=True)
class ContainerState:
    """The first container's state, flattened."""

    name: str
    image: str
    ready: bool
    restarts: int
    waiting_reason: str | None
    waiting_message: str
    exit_code: int | None  # of the current run, once terminated
    terminated_reason: str | None
    last_exit: str | None  # the previous run's end, e.g. "Error (exit code 1)"
    last_error_exit_age: float | None = None  # seconds since the previous run ended with a non-zero exit
    termination_message: str = ""  # of the current run, once terminated: what it left at terminationMessagePath


def container_state(pod: Any, container: str | None = None) -> ContainerState:
    statuses = (pod.status.container_statuses or []) if pod.status else []
    status = next((s for s in statuses if container in (None, s.name)), None)
    spec = next((c for c in pod.spec.containers if container in (None, c.name)), pod.spec.containers[0])
    if status is None:
        return ContainerState(spec.name, spec.image, False, 0, None, "", None, None, None)
    state, last = status.state, status.last_state
    waiting = state.waiting if state else None
    terminated = state.terminated if state else None
    previous = last.terminated if last else None
    return ContainerState(
        name=status.name,
        image=spec.image,
        ready=bool(status.ready),
        restarts=int(status.restart_count or 0),
        waiting_reason=waiting.reason if waiting else None,
        waiting_message=str(waiting.message or "") if waiting else "",
        exit_code=terminated.exit_code if terminated else None,
        terminated_reason=terminated.reason if terminated else None,
        last_exit=f"{previous.reason or 'Terminated'} (exit code {previous.exit_code})" if previous else None,
        last_error_exit_age=_error_exit_age(previous),
        termination_message=str(terminated.message or "") if terminated else "",
    )


def _error_exit_age(terminated: Any) -> float | None:
    if terminated is None or not terminated.exit_code or terminated.finished_at is None:
        return None
    age: float = (datetime.now(UTC) - terminated.finished_at).total_seconds()
    return max(0.0, age)


def condition(pod: Any, kind: str) -> Any:
    return next((c for c in (pod.status.conditions or []) if c.type == kind), None) if pod.status else None


def is_ready(pod: Any) -> bool:
    ready = condition(pod, "Ready")
    return ready is not None and ready.status == "True"


def unschedulable_message(pod: Any) -> str | None:
    """The scheduler's message while the pod cannot be placed, else None."""
    scheduled = condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.status == "False" and scheduled.reason == "Unschedulable":
        return str(scheduled.message or "Unschedulable")
    return None


def phase(pod: Any) -> str:
    return str(pod.status.phase or "Pending") if pod.status else "Pending"


def node_of(pod: Any) -> str | None:
    """The node a suite pod is for, from the annotation every pod of a run carries."""
    return (pod.metadata.annotations or {}).get(NODE_ANNOTATION)


def full_name(pod: Any) -> str:
    return f"{pod.metadata.namespace}/{pod.metadata.name}"


def last_line(log: str) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return lines[-1] if lines else "(no output)"
