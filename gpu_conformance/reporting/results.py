"""One result per (check, node), and the terminal matrix built from them (summary.py writes them for machines)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from ..checks import CHECKS

Outcome = Literal["passed", "failed", "broken", "skipped"]
CLUSTER = "cluster"  # the "node" of checks about the whole cluster
_SYMBOL = {"passed": "ok", "failed": "FAIL", "broken": "ERR", "skipped": "skip"}


@dataclass(frozen=True)
class Result:
    check: str  # check id
    node: str  # node name, or CLUSTER
    outcome: Outcome  # broken: the facts could not be gathered ("could not inspect")
    message: str
    duration_s: float


def matrix(results: Iterable[Result], titles: Mapping[str, str]) -> str:
    """GPU nodes (and the cluster) as rows, checks as columns, in the catalogue's order; a legend names each
    column's check with its title (the run's thresholds in it)."""
    results = list(results)
    order = [c.id for c in CHECKS]
    checks = sorted({r.check for r in results}, key=lambda c: order.index(c) if c in order else len(order))
    nodes = sorted({r.node for r in results}, key=lambda n: (n != CLUSTER, n))
    cell = {(r.node, r.check): _SYMBOL[r.outcome] for r in results}
    width = max([len(n) for n in nodes] + [4])
    lines = [" " * width + "  " + "  ".join(f"{i + 1:>4}" for i in range(len(checks)))]
    for node in nodes:
        row = "  ".join(f"{cell.get((node, c), '-'):>4}" for c in checks)
        lines.append(f"{node:<{width}}  {row}")
    lines.append("")
    named = max(len(c) for c in checks)
    lines += [f"{i + 1:>4} {check:<{named}}  {titles.get(check, '')}".rstrip() for i, check in enumerate(checks)]
    return "\n".join(lines)
