"""The catalogue's ``depends_on`` graph is sound: every id it names exists, and no check depends on itself."""

from __future__ import annotations

from collections.abc import Sequence

from .checks import Check


def _cycle_from(start: str, edges: dict[str, tuple[str, ...]]) -> list[str] | None:
    """A dependency path from ``start`` back to itself, if there is one (depth first)."""
    path: list[str] = []
    seen: set[str] = set()

    def walk(check_id: str) -> list[str] | None:
        for needed in edges.get(check_id, ()):
            if needed == start:
                return [*path, check_id, start]
            if needed not in seen:
                seen.add(needed)
                path.append(check_id)
                found = walk(needed)
                path.pop()
                if found is not None:
                    return found
        return None

    return walk(start)


def dependency_problems(catalogue: Sequence[Check]) -> list[str]:
    """One line per unknown id in a ``depends_on`` and per check that (transitively) depends on itself."""
    edges = {check.id: check.depends_on for check in catalogue}
    problems = [f"{check.id} depends on unknown check {needed!r}"
                for check in catalogue for needed in check.depends_on if needed not in edges]
    for check in catalogue:
        cycle = _cycle_from(check.id, edges)
        if cycle is not None:
            problems.append(f"{check.id} depends on itself: {' -> '.join(cycle)}")
    return problems
