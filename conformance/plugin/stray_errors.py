"""The safety net for errors no gatherer expected: "could not inspect", in one line, never a traceback verdict.

Gatherers turn the API's trouble into facts, or into FactsUnavailable, themselves (gpu_conformance/kube/retry.py
and api_trouble.py). What still escapes is replaced here, before pytest builds the report, by a FactsUnavailable:
- an ApiException or urllib3 error from a fixture or a test, naming the call: ``could not inspect: the API call
  GET /api/v1/pods failed: 500 Internal Server Error: ...`` (Allure category "API trouble");
- any other exception while a test's fixtures gather its facts (setup): ``could not inspect: gathering the
  facts failed unexpectedly: TypeError: ...``. That is a bug of the suite, not a finding about the cluster; its
  traceback goes to the report as an attachment, so it can be reported, while the verdict stays one line.
The terminal, summary.json, JUnit and Allure then all say the same.

A FactsUnavailable a gatherer or judge raised is raised again here, from one shallow frame, with its message:
its report is one line (session.py), and pytest would otherwise render its whole traceback first, through the
fixtures' and pytest's own frames with each of their files parsed, only for that to be thrown away. When a
gathering fails at 1000 nodes, every check of every node reports it.
"""

from __future__ import annotations

import traceback
from collections.abc import Generator

import allure
import pytest

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube.api_trouble import stray_api_error

TRACEBACK_ATTACHMENT = "traceback of the unexpected error"
_PYTEST_OUTCOMES = (pytest.fail.Exception, pytest.skip.Exception, pytest.exit.Exception, pytest.xfail.Exception)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, pytest.TestReport,
                                                                                           pytest.TestReport]:
    """Before any report is made (the outermost wrapper): a stray error becomes FactsUnavailable, and a
    FactsUnavailable comes from one frame."""
    error = call.excinfo.value if call.excinfo is not None else None
    if isinstance(error, FactsUnavailable):
        call.excinfo = _as_facts_unavailable(error.message)
        return (yield)
    line = _could_not_inspect(error, call.when) if error is not None else None
    if line is not None:
        assert error is not None
        if stray_api_error(error) is None:
            allure.attach("".join(traceback.format_exception(error)), name=TRACEBACK_ATTACHMENT,
                          attachment_type=allure.attachment_type.TEXT)
        call.excinfo = _as_facts_unavailable(line)
    return (yield)


def _could_not_inspect(error: BaseException, when: str) -> str | None:
    if isinstance(error, (*_PYTEST_OUTCOMES, KeyboardInterrupt, SystemExit)):
        return None
    api = stray_api_error(error)
    if api is not None:
        return api
    if when != "setup" or not isinstance(error, Exception):
        return None
    detail = " ".join(str(error).split())[:300]
    return (f"gathering the facts failed unexpectedly: {type(error).__name__}: {detail} (a bug of gpu-conformance: "
            "its traceback is attached to the report)")


def _as_facts_unavailable(line: str) -> pytest.ExceptionInfo[BaseException]:
    try:
        raise FactsUnavailable(line)
    except FactsUnavailable:
        return pytest.ExceptionInfo.from_current()
