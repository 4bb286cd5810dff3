"""allure-pytest's listener, with its one step whose cost grew with tests x tests made linear, and no set-up
record for the suite's per-test fixtures.

allure-pytest (listener.py, ``_update_fixtures_children``) adds each test to the result container of every
fixture it uses, after asking whether the container's list of children holds it already: a session fixture's
container holds every test of the run, so that question cost 11,000 x 11,000 / 2 comparisons at 1000 GPU nodes.
Here a set per container answers it; what is written is the same.

It also writes a container file per test for each function-scoped fixture. The suite's (fixtures/, conformance/)
only pick a node's facts out of what a session fixture gathered: a "set up" line of 0 ms in every result, and
9,000 files at 1000 nodes. Those are not recorded; the gathering itself (session fixtures) still is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allure_commons.model2 import TestResultContainer
from allure_pytest.listener import AllureListener, _test_fixtures

_SUITE_MODULES = ("fixtures.", "conformance.")


def _recorded(fixturedef: Any) -> bool:
    """Whether allure-pytest records the fixture: all but the suite's function-scoped ones."""
    module = getattr(getattr(fixturedef, "func", None), "__module__", "") or ""
    return fixturedef.scope != "function" or not module.startswith(_SUITE_MODULES)


class LinearAllureListener(AllureListener):  # type: ignore[misc]
    def __init__(self, config: pytest.Config) -> None:
        super().__init__(config)
        self._children: dict[str, set[str]] = {}  # container uuid -> the uuids of the tests in it

    def _update_fixtures_children(self, item: pytest.Item) -> None:
        uuid = self._cache.get(item.nodeid)
        for fixturedef in filter(_recorded, _test_fixtures(item)):
            group_uuid = self._cache.get(fixturedef)
            if not group_uuid:
                group_uuid = self._cache.push(fixturedef)
                self.allure_logger.start_group(group_uuid, TestResultContainer(uuid=group_uuid))
            children = self._children.setdefault(group_uuid, set())
            if uuid not in children:
                children.add(uuid)
                self.allure_logger.update_group(group_uuid, children=uuid)

    @pytest.hookimpl(hookwrapper=True)
    def pytest_fixture_setup(self, fixturedef: Any, request: pytest.FixtureRequest) -> Iterator[None]:
        if _recorded(fixturedef):
            yield from super().pytest_fixture_setup(fixturedef, request)
        else:
            yield
