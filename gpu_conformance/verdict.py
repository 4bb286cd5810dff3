"""A requirement's answer about one node or the cluster (conformance/binding.py's ``require`` states it).

Failure messages follow one shape so people can act on them:
``found X at SOURCE, expected Y; fix: Z``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .checks import Check


@dataclass(frozen=True)
class Verdict:
    check: Check
    ok: bool
    message: str  # for a pass: what was found where; for a failure: found/expected/fix
    skip: bool = False  # not applicable or not possible here, with the reason in ``message``

    @classmethod
    def passed(cls, check: Check, found: str, source: str) -> Verdict:
        return cls(check, True, f"found {found} at {source}")

    @classmethod
    def failed(cls, check: Check, found: str, source: str, expected: str, fix: str | None = None) -> Verdict:
        return cls(check, False, f"[{check.id}] found {found} at {source}, expected {expected}; "
                                 f"fix: {fix or check.remediation}")

    @classmethod
    def skipped(cls, check: Check, reason: str) -> Verdict:
        return cls(check, True, f"[{check.id}] {reason}", skip=True)

