"""Checks that run only when asked for (``Check.opt_in`` names the option): whether a run asked, and how to."""

from __future__ import annotations

from .checks import Check
from .settings import BY_NAME, Settings

OFF = (False, "0", None, "")


def opted_in(check: Check, settings: Settings) -> bool:
    """Whether the run turns the check on (always, for a check that is not opt-in)."""
    return not check.opt_in or getattr(settings, BY_NAME[check.opt_in].attr) not in OFF


def how_to_ask(check: Check) -> str:
    """The option turning the check on, as typed: ``--perf``, ``--dcgm-diag 1|2|3``."""
    option = BY_NAME[check.opt_in]
    values = [c for c in option.choices if c not in OFF]
    return f"--{option.name}" + (f" {'|'.join(values)}" if values else "")
