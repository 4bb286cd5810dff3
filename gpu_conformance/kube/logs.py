"""Container logs: per pod by nature, so read many at once on a bounded pool."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from .errors import evidence_unavailable, one_line

WORKERS = 16  # concurrent log reads; below the client's connection pool size
LOG_LIMIT_BYTES = 256 * 1024

T = TypeVar("T")
R = TypeVar("R")


def read_log(
    core: Any,
    namespace: str,
    pod: str,
    container: str | None = None,
    *,
    tail_lines: int | None = None,
    previous: bool = False,
) -> str:
    """The container's log; a failure to read it becomes a one-line note in its place."""
    try:
        text: str = core.read_namespaced_pod_log(
            pod,
            namespace,
            container=container,
            tail_lines=tail_lines,
            previous=previous or None,
            limit_bytes=LOG_LIMIT_BYTES,
        )
    except ApiException as err:
        return evidence_unavailable("log", err)
    except (HTTPError, OSError) as err:
        return f"(log unavailable: {one_line(str(err), 200)})"
    return text


def pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="gpu-conformance-logs")


def map_bounded(work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``work`` on every item, at most WORKERS at a time, results in order."""
    todo = list(items)
    if not todo:
        return []
    with pool() as executor:
        return list(executor.map(work, todo))
