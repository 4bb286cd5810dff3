"""The safety net for API errors no gatherer expected: "could not inspect", one line naming the call.

Gatherers turn the API's trouble into facts, or into FactsUnavailable, themselves (gpu_conformance/kube/retry.py
and api_trouble.py). An ApiException or urllib3 error that still escaped a fixture or a test would print a
traceback and read as an unexplained error; here it is replaced, before pytest builds the report, by a
FactsUnavailable naming the call. The terminal, summary.json, JUnit and Allure (category "API trouble") then all
say ``could not inspect: the API call GET /api/v1/pods failed: 500 Internal Server Error: ...``.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube.api_trouble import stray_api_error


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                           pytest.TestReport]:
    """Before any report is made (the outermost wrapper): a stray API error becomes FactsUnavailable."""
    error = call.excinfo.value if call.excinfo is not None else None
    line = stray_api_error(error) if error is not None and not isinstance(error, FactsUnavailable) else None
    if line is not None:
        call.excinfo = _could_not_inspect(line)
    return (yield)


def _could_not_inspect(line: str) -> pytest.ExceptionInfo[BaseException]:
    try:
        raise FactsUnavailable(line)
    except FactsUnavailable:
        return pytest.ExceptionInfo.from_current()
