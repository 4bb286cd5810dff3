"""A watch that survives what real API servers do to long streams: drops, 410 Gone, throttling.

The official client's ``Watch.stream`` gives up on all three. This one starts with a watch that names no
resourceVersion: the API server then sends the current objects as ADDED events before the changes ("Get State
and Start at Most Recent", https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-watch), so
no list call is needed. It resumes from the last seen resourceVersion when a stream ends or breaks, and starts
afresh the same way only when the server says that version is gone. Callers see each change once, as
(type, object) pairs, until their deadline.

Throttling and server errors answered to the list or to a watch request are retried by the client layer
(retry.py); once its budget is spent, its ApiUnavailable ends the watch ("could not inspect"). Only errors
inside a stream that had started (an ERROR event) are resumed here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from kubernetes import watch
from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from .api_trouble import ApiUnavailable
from .retry import SERVER_ERRORS, delay

Event = tuple[str, Any]
_RETRYABLE_STATUS = {429, *SERVER_ERRORS}
_BACKOFF_SECONDS = 0.2


def follow(list_call: Callable[..., Any], deadline: float, since: str | None = None,
           **kwargs: Any) -> Iterator[Event]:
    """Current objects as ADDED, then every change, until ``time.monotonic()`` passes ``deadline``; with
    ``since`` (the resourceVersion of a list the caller made) only the changes after it.

    ``list_call`` is a typed list method such as ``CoreV1Api.list_namespaced_pod``; ``kwargs`` are
    its arguments (namespace, label_selector, ...). Stop early by leaving the loop.
    """
    version = since  # none: the current objects first, as ADDED
    while time.monotonic() < deadline:
        try:
            for kind, obj in _stream(list_call, version, deadline, kwargs):
                version = obj.metadata.resource_version
                yield kind, obj
        except (HTTPError, OSError):
            time.sleep(_BACKOFF_SECONDS)  # a dropped stream: resume from the last version seen
        except ApiException as err:
            if err.status == 410:  # the version we watched from was compacted away: the current state again
                version = None
            elif err.status in _RETRYABLE_STATUS and not isinstance(err, ApiUnavailable):
                time.sleep(delay(1, None))  # an ERROR event in the stream: resume after a short pause
            else:
                raise


def follow_while_changing(list_call: Callable[..., Any], quiet: float, limit: float, since: str | None = None,
                          **kwargs: Any) -> Iterator[Event]:
    """:func:`follow` for as long as the objects keep changing: until ``quiet`` seconds pass without an event,
    or ``time.monotonic()`` passes ``limit``.

    For waiting on many objects at once: a thousand pods deleted in one call go over many seconds on a busy API
    server, and a fixed deadline gives up on them while they are still going; one that never changes (its node's
    kubelet gone) ends the wait ``quiet`` seconds after the last change.
    """
    version, changed = since, time.monotonic()
    while (deadline := min(limit, changed + quiet)) > time.monotonic():
        for kind, obj in follow(list_call, deadline, since=version, **kwargs):
            version, changed = obj.metadata.resource_version, time.monotonic()
            yield kind, obj


def _stream(list_call: Callable[..., Any], version: str | None, deadline: float,
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
