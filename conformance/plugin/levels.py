"""``--level tutorial|hardening|all``: the checks of the other levels are deselected, as ``-m`` deselects.

They are reported as deselected (never skipped: a skip would read as "could not be judged"), so
``pytest conformance --level tutorial`` runs the tutorial's chain alone. Items without a check mark are
not the suite's checks and are kept. Every check's testcase in the JUnit XML carries its level as a property.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gpu_conformance.checks import Level
from gpu_conformance.levels import ALL_LEVELS, selected

from .options import settings_from
from .selection import Keep, Marked, T, deselect, item_check, split

JUNIT_PROPERTY = "gpu_conformance.level"  # a property of each testcase in --junitxml


def item_level(item: Marked) -> Level | None:
    """The level of the check the item verifies (its ``@verifies`` entry); None for items that verify none."""
    check = item_check(item)
    return check.level if check is not None else None


def split_by_level(items: Sequence[T], chosen: str) -> tuple[list[T], list[T]]:
    """(kept, deselected) under ``--level chosen``."""
    return split(items, lambda check, _node: selected(check.level, chosen))


def level_keep(config: pytest.Config) -> Keep:
    """Whether an item runs under the run's ``--level``."""
    chosen = settings_from(config).level
    return lambda check, _node: selected(check.level, chosen)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each check's level as a JUnit property of its testcase; the items of other levels deselected."""
    for item in items:
        level = item_level(item)
        if level is not None:
            item.user_properties.append((JUNIT_PROPERTY, level))
    if settings_from(config).level != ALL_LEVELS:
        deselect(config, items, level_keep(config))
