"""Deselecting checks by a property of their catalogue entry, as ``-m`` deselects: ``--level`` and ``--gpu-request``.

Deselected, never skipped (a skip would read as "could not be judged"); items without a check mark are not the
suite's checks and are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

import pytest

from gpu_conformance.checks import Check
from gpu_conformance.facts.gpu_nodes import GpuNode

from ..binding import MARKER


class Marked(Protocol):
    def get_closest_marker(self, name: str) -> pytest.Mark | None: ...


T = TypeVar("T", bound=Marked)


def item_check(item: Marked) -> Check | None:
    """The catalogue entry the item verifies (its ``@verifies`` entry); None for items that verify none."""
    mark = item.get_closest_marker(MARKER)
    entry = mark.kwargs.get("entry") if mark is not None else None
    return entry if isinstance(entry, Check) else None


def item_node(item: object) -> GpuNode | None:
    """The GPU node a per-node item checks; None for a cluster-wide one."""
    callspec = getattr(item, "callspec", None)
    node = callspec.params.get("gpu_node") if callspec is not None else None
    return node if isinstance(node, GpuNode) else None


Keep = Callable[[Check, GpuNode | None], bool]  # whether the item of this check (on this node) runs


def split(items: Sequence[T], keep: Keep) -> tuple[list[T], list[T]]:
    """(kept, deselected): the items whose check (and node) ``keep`` refuses are deselected."""
    kept: list[T] = []
    dropped: list[T] = []
    for item in items:
        check = item_check(item)
        (kept if check is None or keep(check, item_node(item)) else dropped).append(item)
    return kept, dropped


def deselect(config: pytest.Config, items: list[pytest.Item], keep: Keep) -> None:
    """Report the items whose check (and node) ``keep`` refuses as deselected, and drop them from the run."""
    kept, dropped = split(items, keep)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
