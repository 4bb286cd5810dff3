"""``--level tutorial|hardening|all``: the checks of the other levels are deselected, as ``-m`` deselects.

They are reported as deselected (never skipped: a skip would read as "could not be judged"), so
``pytest conformance --level tutorial`` runs the tutorial's chain alone. Items without a check mark are
not the suite's checks and are kept. Every check's testcase in the JUnit XML carries its level as a property.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import pytest

from gpu_conformance.checks import Check, Level
from gpu_conformance.levels import ALL_LEVELS, selected

from ..binding import MARKER
from .options import settings_from


class Marked(Protocol):
    def get_closest_marker(self, name: str) -> pytest.Mark | None: ...


T = TypeVar("T", bound=Marked)
JUNIT_PROPERTY = "gpu_conformance.level"  # a property of each testcase in --junitxml


def item_level(item: Marked) -> Level | None:
    """The level of the check the item verifies (its ``@verifies`` entry); None for items that verify none."""
    mark = item.get_closest_marker(MARKER)
    entry = mark.kwargs.get("entry") if mark is not None else None
    return entry.level if isinstance(entry, Check) else None


def split_by_level(items: Sequence[T], chosen: str) -> tuple[list[T], list[T]]:
    """(kept, deselected) under ``--level chosen``."""
    kept: list[T] = []
    dropped: list[T] = []
    for item in items:
        level = item_level(item)
        (kept if level is None or selected(level, chosen) else dropped).append(item)
    return kept, dropped


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each check's level as a JUnit property of its testcase; the items of other levels deselected."""
    for item in items:
        level = item_level(item)
        if level is not None:
            item.user_properties.append((JUNIT_PROPERTY, level))
    chosen = settings_from(config).level
    if chosen == ALL_LEVELS:
        return
    kept, dropped = split_by_level(items, chosen)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
