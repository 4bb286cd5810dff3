"""Retries for what busy API servers answer: 429 with Retry-After, and 5xx on requests safe to repeat.

429 comes from max-in-flight limits or API Priority and Fairness before the request is processed,
so any verb may be sent again. A 5xx may come after the work was done: only idempotent verbs
(GET, HEAD, DELETE, PUT) are repeated by the transport; creates go through :func:`create_retrying`,
which treats "already exists" after a retry as its own earlier attempt having landed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from kubernetes.client.exceptions import ApiException
from urllib3.util.retry import Retry

SERVER_ERRORS = frozenset({500, 502, 503, 504})
_IDEMPOTENT = frozenset({"GET", "HEAD", "DELETE", "PUT", "OPTIONS"})
ATTEMPTS = 5
BACKOFF_SECONDS = 0.25
RETRY_AFTER_MAX_SECONDS = 10


class ApiRetry(Retry):
    """urllib3's Retry, deciding per verb: 429 for every verb, 5xx for idempotent ones only."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return True
        return method.upper() in _IDEMPOTENT and status_code in SERVER_ERRORS


def transport_retry() -> ApiRetry:
    """Status retries with backoff; connection failures and read timeouts fail at once, never hidden."""
    return ApiRetry(
        total=ATTEMPTS,
        connect=0,
        read=0,
        redirect=0,
        other=0,
        status=ATTEMPTS - 1,
        allowed_methods=None,
        backoff_factor=BACKOFF_SECONDS,
        backoff_max=4,
        retry_after_max=RETRY_AFTER_MAX_SECONDS,
        raise_on_status=False,
        respect_retry_after_header=True,
    )


def create_retrying(create: Callable[[], object], attempts: int = ATTEMPTS) -> None:
    """Run a POST, repeating it after a 5xx; a 409 AlreadyExists on a repeat means the earlier one landed."""
    for attempt in range(attempts):
        try:
            create()
            return
        except ApiException as err:
            if err.status == 409 and attempt > 0:
                return
            if err.status not in SERVER_ERRORS or attempt == attempts - 1:
                raise
            time.sleep(BACKOFF_SECONDS * 2**attempt)
