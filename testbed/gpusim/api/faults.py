"""API faults from the scenario: added latency, throttling (429) and server errors, repeatably random."""

from __future__ import annotations

import random
import threading
import time

from ..errors import ApiError
from ..model import ApiFaults


class FaultInjector:
    def __init__(self, faults: ApiFaults) -> None:
        self.faults = faults
        self._random = random.Random(faults.seed)
        self._lock = threading.Lock()

    def before_request(self) -> None:
        """Sleep the configured latency, then maybe fail the request as an overloaded apiserver does."""
        faults = self.faults
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if not faults.throttle_ratio and not faults.error_ratio:
            return
        with self._lock:
            throttle_roll, error_roll, code_roll = (
                self._random.random(),
                self._random.random(),
                self._random.random(),
            )
        if throttle_roll < faults.throttle_ratio:
            seconds = faults.retry_after_seconds
            raise ApiError(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
                {"retryAfterSeconds": seconds},
            )
        if error_roll < faults.error_ratio:
            if code_roll < 0.5:
                raise ApiError(
                    500,
                    "InternalError",
                    "Internal error occurred: etcdserver: request timed out",
                    {"causes": [{"message": "etcdserver: request timed out"}]},
                )
            raise ApiError(503, "ServiceUnavailable", "the server is currently unable to handle the request")
