"""Why a container of one of the suite's pods gave no output to judge, in one line, from the pod as last seen.

The order is what a person would fix first: the image, the container's start, the scheduler's refusal, the
pod's deadline, the container's own failure, and last, that it simply was not done in time.
"""

from __future__ import annotations

from typing import Any

from .errors import one_line
from .pod_state import (
    IMAGE_PULL_FAILURES,
    START_FAILURES,
    container_state,
    full_name,
    last_line,
    phase,
    unschedulable_message,
)


def stopped(pod: Any, container: str) -> bool:
    """The container will print nothing more: its pod ended, or it cannot start (pull or start failure)."""
    return phase(pod) in ("Succeeded", "Failed") or container_state(pod, container).waiting_reason in (
        *IMAGE_PULL_FAILURES, *START_FAILURES)


def trouble(pod: Any | None, container: str, log: str, image_option: str, timeout: float) -> str:
    """One line naming the pod and why ``container`` gave no output; ``image_option`` is the flag naming its image."""
    if pod is None:
        return "its pod never appeared in the watch"
    state, current, name = container_state(pod, container), phase(pod), f"pod {full_name(pod)}"
    if state.waiting_reason in IMAGE_PULL_FAILURES:
        return (f'{name}: image "{state.image}" could not be pulled ({state.waiting_reason}): '
                f"{one_line(state.waiting_message, 200)}; mirror it and pass {image_option}")
    if state.waiting_reason in START_FAILURES:
        return f"{name}: container {container} could not start ({state.waiting_reason}): " \
               f"{one_line(state.waiting_message, 200)}"
    scheduler = unschedulable_message(pod)
    if scheduler is not None:
        return f"{name} unschedulable: {one_line(scheduler, 400)}"
    if current == "Failed" and pod.status.reason == "DeadlineExceeded":
        return f"{name} did not finish within {timeout:g}s (DeadlineExceeded)"
    if state.exit_code not in (None, 0):
        return f"{name}: container {container} failed (exit code {state.exit_code}): {one_line(last_line(log), 200)}"
    if pod.metadata.deletion_timestamp is not None:
        return f"{name} was deleted before container {container} printed anything"
    waiting = f" ({state.waiting_reason})" if state.waiting_reason else ""
    return f"{name} still {current}{waiting} after {timeout:g}s"
