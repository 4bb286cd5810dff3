"""allure-pytest's listener, with its one step whose cost grew with tests x tests made linear.

allure-pytest (listener.py, ``_update_fixtures_children``) adds each test to the result container of every
fixture it uses, after asking whether the container's list of children holds it already: a session fixture's
container holds every test of the run, so that question cost 11,000 x 11,000 / 2 comparisons at 1000 GPU nodes.
Here a set per container answers it; what is written is the same.
"""

from __future__ import annotations

import pytest
from allure_commons.model2 import TestResultContainer
from allure_pytest.listener import AllureListener, _test_fixtures


class LinearAllureListener(AllureListener):  # type: ignore[misc]
    def __init__(self, config: pytest.Config) -> None:
        super().__init__(config)
        self._children: dict[str, set[str]] = {}  # container uuid -> the uuids of the tests in it

    def _update_fixtures_children(self, item: pytest.Item) -> None:
        uuid = self._cache.get(item.nodeid)
        for fixturedef in _test_fixtures(item):
            group_uuid = self._cache.get(fixturedef)
            if not group_uuid:
                group_uuid = self._cache.push(fixturedef)
                self.allure_logger.start_group(group_uuid, TestResultContainer(uuid=group_uuid))
            children = self._children.setdefault(group_uuid, set())
            if uuid not in children:
                children.add(uuid)
                self.allure_logger.update_group(group_uuid, children=uuid)
