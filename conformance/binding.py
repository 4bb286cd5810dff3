"""How a conformance test declares the one check it states, and states it.

``@verifies(checks.PRE_DRIVER)`` marks the test with the catalogue entry itself (never a string written
a second time) and makes ``require`` accept only verdicts of that check: a test whose judge answers for
another check fails loudly instead of reporting under the wrong id. The plugin (plugin/bindings.py)
checks the marks at collection.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

import pytest

from gpu_conformance.checks import Check
from gpu_conformance.verdict import Verdict

MARKER = "check"
P = ParamSpec("P")
R = TypeVar("R")

_STATING: ContextVar[Check | None] = ContextVar("stating", default=None)


class CheckMismatch(Exception):
    """A judge's verdict names another check than the test that asked for it: a wiring bug, not a finding."""


def verifies(check: Check) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Bind a conformance test to its catalogue entry: the ``check`` mark, and what ``require`` accepts."""

    def bind(test: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(test)
        def stating(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _STATING.set(check)
            try:
                return test(*args, **kwargs)
            finally:
                _STATING.reset(token)

        marked: Callable[P, R] = getattr(pytest.mark, MARKER)(check.id, entry=check)(stating)
        return marked

    return bind


def require(verdict: Verdict) -> None:
    """State a requirement in a conformance test: pass, fail with the verdict's message, or skip."""
    stating = _STATING.get()
    if stating is None:
        raise CheckMismatch(f"require({verdict.check.id}) outside a test declared with @verifies")
    if verdict.check is not stating:
        raise CheckMismatch(f"the test verifies {stating.id} but its judge returned a verdict of {verdict.check.id}")
    if verdict.skip:
        pytest.skip(verdict.message)
    if not verdict.ok:
        pytest.fail(verdict.message, pytrace=False)
