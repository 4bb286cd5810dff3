"""A watch that survives what real API servers do to long streams: drops, 410 Gone, throttling.

The official client's ``Watch.stream`` gives up on all three. This one lists once, then watches
from the list's resourceVersion, resumes from the last seen resourceVersion when a stream ends or
breaks, and lists again only when the server says that version is gone. Callers see each change
once, as (type, object) pairs, until their deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from typing import Any

from kubernetes import watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

Event = tuple[str, Any]
_RETRYABLE_STATUS = {429, 500, 502, 503, 504}
_BACKOFF_SECONDS = 0.2


def follow(list_call: Callable[..., Any], deadline: float, **kwargs: Any) -> Iterator[Event]:
    """Current objects as ADDED, then every change, until ``time.monotonic()`` passes ``deadline``.

    ``list_call`` is a typed list method such as ``CoreV1Api.list_namespaced_pod``; ``kwargs`` are
    its arguments (namespace, label_selector, ...). Stop early by leaving the loop.
    """
    version = yield from _relist(list_call, deadline, kwargs)
    while time.monotonic() < deadline:
        try:
            for kind, obj in _stream(list_call, version, deadline, kwargs):
                version = obj.metadata.resource_version
                yield kind, obj
        except (HTTPError, OSError):
            time.sleep(_BACKOFF_SECONDS)  # a dropped stream: resume from the last version seen
        except ApiException as err:
            if err.status == 410:  # the version we watched from was compacted away
                version = yield from _relist(list_call, deadline, kwargs)
            elif err.status in _RETRYABLE_STATUS:
                time.sleep(_retry_after(err))
            else:
                raise


def _relist(list_call: Callable[..., Any], deadline: float,
            kwargs: dict[str, Any]) -> Generator[Event, None, str]:
    """List (retrying throttling and server errors) and yield every item as ADDED; returns the version."""
    while True:
        try:
            listed = list_call(**kwargs, _request_timeout=_timeout(deadline))
            break
        except ApiException as err:
            if err.status not in _RETRYABLE_STATUS or time.monotonic() >= deadline:
                raise
            time.sleep(_retry_after(err))
    for item in listed.items:
        yield "ADDED", item
    version: str = listed.metadata.resource_version
    return version


def _stream(list_call: Callable[..., Any], version: str, deadline: float,
            kwargs: dict[str, Any]) -> Iterator[Event]:
    """One watch request; the client raises ApiException for ERROR events (410 Gone included)."""
    remaining = max(1, int(deadline - time.monotonic()))
    for event in watch.Watch().stream(list_call, resource_version=version, timeout_seconds=remaining,
                                      _request_timeout=_timeout(deadline), **kwargs):
        if event["type"] != "BOOKMARK":
            yield event["type"], event["object"]


def _timeout(deadline: float) -> tuple[float, float]:
    """(connect, read) timeouts: a dead connection must never hang past the deadline."""
    return 5.0, max(1.0, deadline - time.monotonic() + 5.0)


def _retry_after(err: ApiException) -> float:
    header = (err.headers or {}).get("Retry-After", "")
    return float(header) if header.isdigit() else _BACKOFF_SECONDS
