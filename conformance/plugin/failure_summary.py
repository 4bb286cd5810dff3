"""pytest's failure summary at a cost linear in the tests, printing the same.

For each failed test, pytest's terminal reporter (``_handle_teardown_sections`` in _pytest/terminal.py) looks
through every passed set-up and teardown report of the run for that test's teardown, to print what the teardown
wrote: failures x reports. At 1000 GPU nodes the seed cluster's verdicts are 2000 failures among 21,000 tests,
42,000 such reports. That loop only ever prints teardown reports that captured teardown output, so the others
are dropped from the reporter's list before it summarises; nothing else of pytest's reads that list.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

PASSED_PHASES = ""  # the terminal reporter's category for passed set-up and teardown reports


def prints_teardown(report: object) -> bool:
    """Whether the failure summary could print ``report``: a teardown report with a teardown section."""
    return getattr(report, "when", None) == "teardown" and any(
        "teardown" in name for name, _ in getattr(report, "sections", ()))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> Generator[None, None, None]:
    """Before the terminal reporter's own summary (the outermost wrapper)."""
    passed_phases = terminalreporter.stats.get(PASSED_PHASES)
    if passed_phases:
        terminalreporter.stats[PASSED_PHASES] = [report for report in passed_phases if prints_teardown(report)]
    return (yield)
