"""Which failure to fix first: each failing (check, node) is a root cause, or a consequence of one.

The catalogue's ``depends_on`` says which checks a check cannot pass without. A failure is a consequence
when a check it depends on failed too, on the same node or cluster-wide; following only failing links, its
root causes are the failing checks at the top of that chain. A dependency that passed breaks the chain:
whatever failed below it failed for a reason of its own. Results arrive in any order (pytest-randomly), so
this is decided once every result is in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from .results import CLUSTER, NOT_PASSING, Result

DependsOn = Mapping[str, tuple[str, ...]]  # check id -> the ids it depends on


def attribute(results: Sequence[Result], depends_on: DependsOn) -> list[Result]:
    """``results`` with ``caused_by`` set on each failure a failing dependency explains: the root causes' ids."""
    failing_on: dict[str, list[str]] = {}
    for r in results:
        if r.outcome in NOT_PASSING:
            failing_on.setdefault(r.check, []).append(r.node)

    def failing_dependencies(check: str, node: str) -> list[tuple[str, str]]:
        """A node's check follows its node's and the cluster's failures; a cluster-wide one follows any node's."""
        return [(dependency, where) for dependency in depends_on.get(check, ())
                for where in failing_on.get(dependency, ()) if node in (CLUSTER, where) or where == CLUSTER]

    def roots(check: str, node: str) -> set[str]:
        found: set[str] = set()
        seen: set[tuple[str, str]] = set()
        pending = failing_dependencies(check, node)
        while pending:
            dependency = pending.pop()
            if dependency in seen:
                continue
            seen.add(dependency)
            above = failing_dependencies(*dependency)
            if above:
                pending += above
            else:
                found.add(dependency[0])
        return found

    order = {check: index for index, check in enumerate(depends_on)}
    return [replace(r, caused_by=tuple(sorted(roots(r.check, r.node), key=lambda c: order.get(c, len(order)))))
            if r.outcome in NOT_PASSING else r for r in results]


def root_causes(results: Sequence[Result]) -> list[tuple[Result, list[Result]]]:
    """Each failing result that is a root cause, with the failures it explains: on its node, and cluster-wide
    ones; a cluster-wide cause explains them on every node."""
    consequences = [r for r in results if r.caused_by]
    return [(cause, [c for c in consequences
                     if cause.check in c.caused_by and (CLUSTER in (cause.node, c.node) or cause.node == c.node)])
            for cause in results if cause.outcome in NOT_PASSING and not cause.caused_by]
