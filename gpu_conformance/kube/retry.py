"""The client layer's retries: every API call rides out a busy or flaky API server for a time budget, then fails
with :class:`~.api_trouble.ApiUnavailable` naming the call ("could not inspect", never a verdict).

Why urllib3's Retry, subclassed, rather than a wrapper around each call: every request of the official client
(typed calls, log reads, the first request of each watch, the cleanup's deletes) goes through the urllib3 pool
that ``Configuration.retries`` configures, so the one object connect() installs covers every call, those written
later included, with nothing to remember at call sites. What it retries:

- 429 (max-in-flight limits, API Priority and Fairness), for every verb: the server refused it before doing it.
- 5xx, for idempotent verbs only (GET, HEAD, PUT, DELETE, OPTIONS): a 5xx may come after the work was done.
  Creates (POST) go through :func:`create_retrying`, which takes "already exists" after a repeat as its own
  earlier attempt having landed.
- a connection the server reset or closed mid-request, for idempotent verbs (the same reason).

The wait is the server's Retry-After (never sooner; up to a quarter later, so that requests throttled together
do not all come back together), else exponential backoff with jitter. Connection refused, connect and read
timeouts and TLS errors are not retried: a server that is not there is said at once (one line at session
start), not hidden behind minutes of retries.

The budget is a time, not a count: at 60% 429s five attempts all fail 8% of the time, so a count turned a
busy server into GPU verdicts. A call may retry for up to --pod-timeout seconds (the time the suite already
grants a pod to run) from its first failure; a retry that would start later is not made.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from kubernetes.client.exceptions import ApiException
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import HTTPError, MaxRetryError, ProtocolError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import RequestHistory, Retry

from ..settings import Settings
from .api_trouble import ApiUnavailable, call_name, spent

SERVER_ERRORS = frozenset({500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})
BACKOFF_SECONDS = 0.25  # the first wait without Retry-After; doubled per failure
BACKOFF_MAX_SECONDS = 4.0
RETRY_AFTER_MAX_SECONDS = 10.0
RETRY_AFTER_JITTER = 0.25  # wait up to this fraction longer than the server asked
DEFAULT_BUDGET_SECONDS = Settings.timeout  # --pod-timeout's default, for callers without a connection


def delay(failures: int, retry_after: float | None) -> float:
    """Seconds to wait after ``failures`` failed attempts: Retry-After (capped) plus jitter, else backoff."""
    if retry_after:
        asked = min(retry_after, RETRY_AFTER_MAX_SECONDS)
        return asked * (1 + random.uniform(0, RETRY_AFTER_JITTER))
    backoff = min(BACKOFF_MAX_SECONDS, BACKOFF_SECONDS * 2.0 ** (failures - 1))
    return backoff * random.uniform(0.5, 1.0)


def next_wait(started: float, budget: float, failures: int, retry_after: float | None) -> float | None:
    """The wait before the next attempt, or None when that attempt would start after the budget."""
    wait = delay(failures, retry_after)
    return wait if time.monotonic() + wait <= started + budget else None


def _retry_after(headers: Any) -> float | None:
    """Retry-After in seconds (the API server writes whole seconds), or None."""
    value = str((headers or {}).get("Retry-After") or "").strip()
    try:
        return float(value) if value else None
    except ValueError:
        return None


class ApiRetry(Retry):
    """urllib3's Retry with a time budget per call, Retry-After with jitter, and the suite's rules per verb.

    urllib3 copies it (``new``) on every failure: ``started`` is the first failure's time, ``wait`` the
    pause chosen with it (``sleep`` then waits exactly that). Failures it does not retry fall through to
    urllib3's own counting, which is zero: they raise at once, as urllib3's errors.
    """

    def __init__(self, *, budget: float = DEFAULT_BUDGET_SECONDS, started: float | None = None,
                 wait: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget, self.started, self.wait = budget, started, wait

    def new(self, **kw: Any) -> Self:
        return super().new(**{"budget": self.budget, "started": self.started, "wait": self.wait, **kw})

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return True
        return method.upper() in IDEMPOTENT and status_code in SERVER_ERRORS

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        reset = isinstance(error, ProtocolError) and (method or "").upper() in IDEMPOTENT
        if response is None and not reset:
            return super().increment(method, url, response, error, _pool, _stacktrace)
        now = time.monotonic()
        started = now if self.started is None else self.started
        status = response.status if response is not None else None
        history = (*self.history, RequestHistory(method, url, error, status, None))
        retry_after = _retry_after(response.headers) if response is not None else None
        wait = next_wait(started, self.budget, len(history), retry_after)
        if wait is None:
            raise _exhausted(call_name(method, url), [h.status for h in history], now - started, self.budget,
                             response)
        return self.new(history=history, started=started, wait=wait)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        time.sleep(self.wait)


def _exhausted(call: str, answers: list[int | None], elapsed: float, budget: float,
               response: BaseHTTPResponse | None) -> ApiUnavailable:
    """The ApiUnavailable for a spent budget, carrying the last answer's status, body and headers."""
    message = spent(call, answers, elapsed, budget)
    if response is None:
        return ApiUnavailable(message)
    try:
        body = response.data.decode("utf-8", "replace")
    except (HTTPError, OSError):
        body = None
    response.drain_conn()
    return ApiUnavailable(message, response.status, response.reason or "", body, response.headers)


def transport_retry(budget: float = DEFAULT_BUDGET_SECONDS) -> ApiRetry:
    """The retries connect() installs: status and reset retries within ``budget`` seconds per call."""
    return ApiRetry(
        budget=budget,
        total=None,
        connect=0,
        read=0,
        redirect=0,
        other=0,
        status=None,
        allowed_methods=None,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def budget_of(api_client: Any) -> float:
    """The retry budget of a connection's transport (connect() gives it --pod-timeout)."""
    retries = api_client.configuration.retries
    return retries.budget if isinstance(retries, ApiRetry) else DEFAULT_BUDGET_SECONDS


def create_retrying(create: Callable[[], object], call: str = "POST (create)",
                    budget: float = DEFAULT_BUDGET_SECONDS) -> None:
    """Run a create, repeating it after a 5xx or a broken connection for up to ``budget`` seconds.

    A 409 AlreadyExists on a repeat means an earlier attempt landed. ``call`` (``POST /api/v1/namespaces``)
    names it when the budget is spent. 429s never reach here: the transport retried them.
    """
    started = time.monotonic()
    answers: list[int | None] = []
    while True:
        last: ApiException | None = None
        try:
            create()
            return
        except ApiException as err:
            if err.status == 409 and answers:
                return
            if isinstance(err, ApiUnavailable) or err.status not in SERVER_ERRORS:
                raise
            answers.append(err.status)
            last = err
        except MaxRetryError as err:  # the connection broke mid-request: the create may have landed
            if not isinstance(err.reason, ProtocolError):
                raise
            answers.append(None)
        wait = next_wait(started, budget, len(answers), _retry_after(last.headers) if last else None)
        if wait is None:
            message = spent(call, answers, time.monotonic() - started, budget)
            if last is None:
                raise ApiUnavailable(message) from None
            raise ApiUnavailable(message, last.status, str(last.reason or ""), last.body, last.headers) from None
        time.sleep(wait)
