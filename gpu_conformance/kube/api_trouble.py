"""API trouble: the API server stayed busy or broken for a whole retry budget, so a fact could not be read.

That is never a verdict on the GPU chain. :class:`ApiUnavailable` is raised by the client layer (retry.py)
once the budget of one call is spent; it is at once

- an ``ApiException`` with the last status, so code that tells 404 or 409 from the rest keeps working and
  code that catches ApiException for evidence notes (events, log tails) says what happened, and
- a ``FactsUnavailable``, so wherever it escapes a gatherer the check reads "could not inspect", naming the call:
  ``the API server answered 503 to GET /api/v1/namespaces/x/pods/y/log 6 times over 41 s``.

:func:`stray_api_error` names the call behind any other API error (an ApiException or a urllib3 error that
no gatherer expected), for the plugin's safety net: one line, never a traceback.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from kubernetes.client.exceptions import ApiException
from urllib3.exceptions import HTTPError

from gpu_conformance.facts.unavailable import FactsUnavailable

from .errors import api_message, one_line

BROKEN_CONNECTION = "a broken connection"
API_MODULES = ("kubernetes.", "urllib3.")


class ApiUnavailable(ApiException, FactsUnavailable):  # type: ignore[misc]
    """One API call failed for its whole retry budget: an ApiException with the last status, and "could not
    inspect" for the checks that needed its answer. Its message names the call, the answers and the time."""

    def __init__(self, message: str, status: int = 0, reason: str = "", body: str | None = None,
                 headers: Any = None) -> None:
        ApiException.__init__(self, status=status, reason=reason or message, body=body)
        self.headers = headers
        FactsUnavailable.__init__(self, message)

    def __str__(self) -> str:
        return self.message


def call_name(method: str | None, url: str | None) -> str:
    """``GET /api/v1/nodes``: the verb and path of a request (no host, no query)."""
    return f"{(method or 'a request').upper()} {urlsplit(url or '').path or '/'}"


def seconds(elapsed: float) -> str:
    return f"{elapsed:.1f} s" if elapsed < 10 else f"{elapsed:.0f} s"


def spent(call: str, answers: Sequence[int | None], elapsed: float, budget: float) -> str:
    """``the API server answered 503 to GET /x 6 times over 41 s (retried for up to --pod-timeout 60 s)``.

    ``answers`` are the failed attempts in order: an HTTP status, or None for a broken connection.
    """
    counts = Counter(str(a) if a is not None else BROKEN_CONNECTION for a in answers)
    if set(counts) == {BROKEN_CONNECTION}:
        what = f"broke the connection of {call}"
    elif len(counts) == 1:
        what = f"answered {next(iter(counts))} to {call}"
    else:
        what = f"answered {', '.join(f'{answer} ({n}x)' for answer, n in counts.items())} to {call}"
    times = "once" if len(answers) == 1 else f"{len(answers)} times"
    return (f"the API server {what} {times} over {seconds(elapsed)} "
            f"(retried for up to --pod-timeout {budget:g} s)")


def stray_api_error(error: BaseException) -> str | None:
    """One line for an API error no gatherer turned into facts (ApiException, urllib3's errors), naming the call;
    None for any other error."""
    if isinstance(error, ApiException):
        why = api_message(error)
    elif isinstance(error, HTTPError):
        why = one_line(str(error), 300)
    else:
        return None
    call = _call_in(error.__traceback__)
    return f"the API call {call or '(unknown)'} failed: {why}"


def _call_in(trace: TracebackType | None) -> str | None:
    """The request a traceback was making, read from the client's own frames (innermost first).

    The official client's API methods hold ``_param`` (method, url, ...); urllib3 and the REST layer hold
    ``method`` and ``url``. A safety net only: gatherers that expect trouble name their calls themselves.
    """
    frames = []
    while trace is not None:
        frames.append(trace.tb_frame)
        trace = trace.tb_next
    for frame in reversed(frames):
        if not str(frame.f_globals.get("__name__", "")).startswith(API_MODULES):
            continue
        local = frame.f_locals
        param = local.get("_param")
        if isinstance(param, tuple) and len(param) > 1 and isinstance(param[0], str) and isinstance(param[1], str):
            return call_name(param[0], param[1])
        if isinstance(local.get("method"), str) and isinstance(local.get("url"), str):
            return call_name(local["method"], local["url"])
    return None
