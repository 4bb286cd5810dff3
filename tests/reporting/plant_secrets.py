"""A pytest plugin for the redaction test: leaks this run's secrets through every channel a report reads.

Loaded into a real suite run with ``-p tests.reporting.plant_secrets``; the secrets come from
PLANTED_SECRETS (comma-separated). The PRE-K8S-VERSION check prints them, logs them, attaches them
and then fails with them in its message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import allure
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    mark = item.get_closest_marker("check")
    planted = os.environ["PLANTED_SECRETS"].split(",")
    if mark is not None and mark.args[0] == "PRE-K8S-VERSION":
        print("stdout:", *planted)
        logging.getLogger("planted").warning("log: %s", " ".join(planted))
        allure.attach("\n".join(planted), name="planted attachment")
    outcome = yield
    if mark is not None and mark.args[0] == "PRE-K8S-VERSION":
        outcome.force_exception(AssertionError("planted failure: " + " ".join(planted)))
