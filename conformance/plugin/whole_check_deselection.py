"""Checks deselected on every node get one item, not one per GPU node.

A check is deselected whatever the node when ``--level`` leaves its level out, when it is opt-in and its option
is off, when ``--gpu-request`` runs its way of requesting GPUs on no node, or when ``-m`` refuses its marks
(per-node items add no mark). Such a check is parametrized with the first GPU node only, and the usual deselection
then drops that one item: a read-only run at 1000 nodes does not build 23,000 items only to deselect them (3.5 s
and 100 MB of pytest's own work, benchmarks/support/pytest_floor.py). pytest's "N deselected" therefore counts such a
check once; a check that runs on some nodes only is still deselected per node.

``-m`` is evaluated with pytest's own expression and matcher (private modules); a pytest without them makes
every node's item, as before, and its own ``-m`` decides per item.
"""

from __future__ import annotations

import pytest

from gpu_conformance.facts.gpu_nodes import GpuNode

from .gpu_requests import gpu_request_keep
from .levels import level_keep
from .markers import counts_as_workload
from .opt_in import opt_in_keep
from .selection import item_check

try:
    from _pytest.mark import MarkMatcher
    from _pytest.mark.expression import Expression
except ImportError:  # pragma: no cover - a pytest that moved them: every node's item is made
    MarkMatcher = None  # type: ignore[assignment,misc]
    Expression = None  # type: ignore[assignment,misc]


def deselected_everywhere(metafunc: pytest.Metafunc, nodes: list[GpuNode]) -> bool:
    """Whether every item of this test function would be deselected, whichever of ``nodes`` it checks: by one of
    the suite's own deselections (the same rules their hooks apply) or by ``-m``."""
    check = item_check(metafunc.definition)
    if check is None:
        return False
    keeps = (level_keep(metafunc.config), opt_in_keep(metafunc.config), gpu_request_keep(metafunc.config))
    if any(not any(keep(check, node) for node in nodes) for keep in keeps):
        return True
    return not _marks_selected(metafunc)


def _marks_selected(metafunc: pytest.Metafunc) -> bool:
    """Whether ``-m`` keeps the function's items; True when there is no ``-m`` or pytest's evaluation is not at hand
    (a bad expression is left to pytest, which stops the run with its own usage error)."""
    expression = metafunc.config.option.markexpr
    from_markers = getattr(MarkMatcher, "from_markers", None)
    if not expression or from_markers is None or Expression is None:
        return True
    marks = list(metafunc.definition.iter_markers())
    if counts_as_workload(metafunc.definition, metafunc.config):
        marks.append(pytest.mark.workload.mark)
    try:
        return bool(Expression.compile(expression).evaluate(from_markers(marks)))
    except SyntaxError:
        return True
