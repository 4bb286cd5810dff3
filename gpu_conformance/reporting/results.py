"""One result per (check, node), and the terminal table built from them (summary.py writes them for machines)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..checks import CHECKS, Level

Outcome = Literal["passed", "failed", "broken", "skipped"]
CLUSTER = "cluster"  # the "node" of checks about the whole cluster
NOT_PASSING: tuple[Outcome, ...] = ("failed", "broken")
_SYMBOL = {"passed": "ok", "failed": "FAIL", "broken": "ERR", "skipped": "skip"}
_COUNTED: tuple[Outcome, ...] = ("passed", "failed", "broken", "skipped")
_TITLE_WIDTH = 48
_LEVEL = "level"  # the column's heading


@dataclass(frozen=True)
class Result:
    check: str  # check id
    node: str  # node name, or CLUSTER
    outcome: Outcome  # broken: the facts could not be gathered ("could not inspect")
    message: str
    duration_s: float
    caused_by: tuple[str, ...] = ()  # failing checks this failure follows from (root_causes.py); () for a root cause
    level: Level = "tutorial"  # the check's level; every check was the tutorial's before levels existed


def checks_table(results: Iterable[Result], titles: Mapping[str, str], named: int = 3) -> str:
    """One row per check: id, title (the run's thresholds in it), level, how many nodes passed, failed, could not be
    inspected or were skipped, and the first ``named`` nodes that did not pass. Checks with a root cause come
    first, then those failing only as consequences, then the rest, each in the catalogue's order; readable at
    3 nodes and at 3000 (the full matrix is in summary.json)."""
    results = list(results)
    order = {c.id: i for i, c in enumerate(CHECKS)}
    by_check: dict[str, list[Result]] = {}
    for result in results:
        by_check.setdefault(result.check, []).append(result)

    def rank(check: str) -> tuple[int, int]:
        failing = [r for r in by_check[check] if r.outcome in NOT_PASSING]
        group = 0 if any(not r.caused_by for r in failing) else 1 if failing else 2
        return group, order.get(check, len(order))

    checks = sorted(by_check, key=rank)
    id_width = max(len(c) for c in checks)
    title_width = min(max(len(titles.get(c, "")) for c in checks), _TITLE_WIDTH)
    level_width = max(len(_LEVEL), *(len(by_check[c][0].level) for c in checks))
    counts = " ".join(f"{_SYMBOL[o]:>5}" for o in _COUNTED)
    lines = [f"{'check':<{id_width}}  {'':<{title_width}}  {_LEVEL:<{level_width}}  {counts}  not passing"]
    for check in checks:
        row = by_check[check]
        numbers = " ".join(f"{sum(1 for r in row if r.outcome == o):>5}" for o in _COUNTED)
        title = _cut(titles.get(check, ""), title_width)
        lines.append(f"{check:<{id_width}}  {title:<{title_width}}  {row[0].level:<{level_width}}  {numbers}  "
                     f"{_not_passing(row, named)}".rstrip())
    return "\n".join(lines)


def _not_passing(row: list[Result], named: int) -> str:
    failing = sorted((r for r in row if r.outcome in NOT_PASSING), key=lambda r: (r.node != CLUSTER, r.node))
    if not failing:
        return ""
    shown = ", ".join(r.node for r in failing[:named]) + (f" and {len(failing) - named} more"
                                                          if len(failing) > named else "")
    causes = sorted({cause for r in failing for cause in r.caused_by})
    if causes and all(r.caused_by for r in failing):
        return f"{shown} (consequence of {', '.join(causes)})"
    return f"{shown} (root cause)" if not causes else f"{shown} (root cause; some consequences of {', '.join(causes)})"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 3] + "..."
