"""Checks that read what only an option names (``Check.reads_option``: a prometheus.yml, a live Prometheus or
Grafana): whether the run gave it, and the one line that says it did not."""

from __future__ import annotations

from .checks import Check
from .settings import BY_NAME, Settings


def not_given(option: str) -> str:
    """Why a check reading ``option`` was skipped, e.g. ``no --prometheus-url given``."""
    return f"no --{option} given"


def missing_option(check: Check, settings: Settings) -> str | None:
    """``not_given`` for a check whose option the run left out; None when it has what it reads."""
    if check.reads_option and not getattr(settings, BY_NAME[check.reads_option].attr):
        return not_given(check.reads_option)
    return None
