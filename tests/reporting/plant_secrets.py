"""A pytest plugin for the redaction test: leaks this run's secrets through every channel a report reads.

Loaded into a real suite run with ``-p tests.reporting.plant_secrets``; the secrets come from
PLANTED_SECRETS (comma-separated). The PRE-K8S-VERSION check prints them, logs them, attaches them
and then fails with them in its message. PRE-KUBELET-VERSION errors in its setup (which the suite reports
as "could not inspect", its traceback attached) and PLUGIN-DEPLOYED in its call, from frames whose locals
hold the secrets in long values, which ``--showlocals`` prints cut short (``head...tail``) right inside
each secret.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import allure
import pytest


def _planted() -> list[str]:
    return os.environ["PLANTED_SECRETS"].split(",")


def _check(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("check")
    return str(mark.args[0]) if mark is not None else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    planted = _planted()
    if _check(item) == "PRE-K8S-VERSION":
        print("stdout:", *planted)
        logging.getLogger("planted").warning("log: %s", " ".join(planted))
        allure.attach("\n".join(planted), name="planted attachment")
    if _check(item) == "PLUGIN-DEPLOYED":
        _fail_holding_secrets(planted, "call")
    outcome = yield
    if _check(item) == "PRE-K8S-VERSION":
        outcome.force_exception(AssertionError("planted failure: " + " ".join(planted)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _check(item) == "PRE-KUBELET-VERSION":
        _fail_holding_secrets(_planted(), "setup")


def _fail_holding_secrets(planted: list[str], phase: str) -> None:
    """One frame per secret, its locals long enough that the cut of pytest's repr falls inside the secret."""
    secret, rest = planted[0], planted[1:]
    cut_in_head = "h" * max(0, 117 - len(secret) // 2) + secret + "t" * 300  # shown: 'hhh...<first half>...
    cut_in_tail = "h" * 300 + secret + "t" * max(0, 118 - len(secret) // 2)  # shown: ...<second half>ttt'
    if rest:
        _fail_holding_secrets(rest, phase)
    raise RuntimeError(f"planted {phase} error beside values of {len(cut_in_head)} and {len(cut_in_tail)} characters")
