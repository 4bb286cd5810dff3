"""Requirement functions: facts (with their sources) and settings in, a Verdict out; pure, no I/O.

One function per check of ``gpu_conformance.checks``. "Not conformant" is a failed Verdict; "could not
inspect" is ``FactsUnavailable``, which the pytest layer reports as an error (broken), never a failure.
"""

from __future__ import annotations


class FactsUnavailable(Exception):
    """The facts a check needs could not be gathered: the message says which, why, and what to try."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
