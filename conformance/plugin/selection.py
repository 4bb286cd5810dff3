"""Deselecting checks by a property of their catalogue entry, as ``-m`` deselects: ``--level`` and ``--gpu-request``.

Deselected, never skipped (a skip would read as "could not be judged"); items without a check mark are not the
suite's checks and are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import pytest

from gpu_conformance.checks import Check

from ..binding import MARKER


class Marked(Protocol):
    def get_closest_marker(self, name: str) -> pytest.Mark | None: ...


T = TypeVar("T", bound=Marked)


def item_check(item: Marked) -> Check | None:
    """The catalogue entry the item verifies (its ``@verifies`` entry); None for items that verify none."""
    mark = item.get_closest_marker(MARKER)
    entry = mark.kwargs.get("entry") if mark is not None else None
    return entry if isinstance(entry, Check) else None


def split(items: Sequence[T], keep: Callable[[Check], bool]) -> tuple[list[T], list[T]]:
    """(kept, deselected): the items whose check ``keep`` refuses are deselected."""
    kept: list[T] = []
    dropped: list[T] = []
    for item in items:
        check = item_check(item)
        (kept if check is None or keep(check) else dropped).append(item)
    return kept, dropped


def deselect(config: pytest.Config, items: list[pytest.Item], keep: Callable[[Check], bool]) -> None:
    """Report the items whose check ``keep`` refuses as deselected, and drop them from the run."""
    kept, dropped = split(items, keep)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
