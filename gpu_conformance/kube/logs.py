"""Container logs: per pod by nature, so read many at once on a bounded pool.

A log that could not be read is never the container's output: :class:`ContainerLog` says so, so that the
probe's JSON or vectoradd's "Test PASSED" is looked for only in a log that was read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from .errors import api_message, evidence_unavailable, one_line

WORKERS = 16  # concurrent log reads; below the client's connection pool size
LOG_LIMIT_BYTES = 256 * 1024

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class ContainerLog:
    """A container's log, or why it could not be read."""

    text: str  # the log; when unreadable, a one-line note in its place (evidence for the report)
    unreadable: str | None = None  # why it could not be read: then nothing may be judged from ``text``


NO_LOG = ContainerLog("")  # a pod that did not run to an end: nothing was read


def _unreadable(namespace: str, pod: str, err: ApiException | HTTPError | OSError) -> ContainerLog:
    """Why the log could not be read: the API's one line, or the connection's."""
    if isinstance(err, ApiException):
        return ContainerLog(evidence_unavailable("log", err), f"reading the log of pod {namespace}/{pod}: "
                                                              f"{api_message(err)}")
    why = one_line(str(err), 200)
    return ContainerLog(f"(log unavailable: {why})", f"reading the log of pod {namespace}/{pod}: {why}")


def read_container_log(
    core: Any,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    tail_lines: int | None = None,
    previous: bool = False,
) -> ContainerLog:
    """The container's log, or why it could not be read (the API's one line, naming the call when retried)."""
    try:
        text: str = core.read_namespaced_pod_log(
            pod,
            namespace,
            container=container,
            tail_lines=tail_lines,
            previous=previous or None,
            limit_bytes=LOG_LIMIT_BYTES,
        )
    except (ApiException, HTTPError, OSError) as err:
        return _unreadable(namespace, pod, err)
    return ContainerLog(text)


def read_log(
    core: Any,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    tail_lines: int | None = None,
    previous: bool = False,
) -> str:
    """The container's log as evidence: a failure to read it becomes a one-line note in its place."""
    return read_container_log(core, namespace, pod, container, tail_lines=tail_lines, previous=previous).text


def pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="gpu-conformance-logs")


def map_bounded(work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``work`` on every item, at most WORKERS at a time, results in order."""
    todo = list(items)
    if not todo:
        return []
    with pool() as executor:
        return list(executor.map(work, todo))
