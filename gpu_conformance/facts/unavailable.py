"""Could not inspect: the one error a gatherer raises when the facts a check needs cannot be had.

Gatherers raise it and judges may too (a fact present but unreadable); the pytest layer reports it as
an error (broken), never as a failure. It lives here, beside the facts, so neither side imports the other.
"""

from __future__ import annotations


class FactsUnavailable(Exception):
    """The facts a check needs could not be gathered: the message says which, why, and what to try."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
