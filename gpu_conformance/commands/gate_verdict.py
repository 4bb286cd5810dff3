"""What the gate makes of the suite's summary.json: the failures that keep the node out, and those only reported.

A check that failed or could not inspect blocks admission when its level is one of the run's admission levels
(summary.json's ``run.admission_levels``: the ``admission-levels`` option or profile key, by default every
level); a failure of another level is reported and does not block. Root causes come first, then what follows
from them. No results, unreadable results or an interrupted run are no verdict: they block.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..checks import LEVELS
from ..errors import UsageError
from ..levels import blocks_admission
from ..reporting.results import NOT_PASSING, Result
from ..reporting.summary import read_summary

TESTS_FAILED = 1  # pytest's exit status when some test failed: explained by the results themselves


@dataclass(frozen=True)
class GateVerdict:
    blocking: tuple[str, ...]  # why the node may not be admitted, one line each; none: admit it
    reported: tuple[str, ...] = ()  # failures of levels that do not block admission, one line each
    admission_levels: tuple[str, ...] = LEVELS


def gate_verdict(path: Path, node: str, returncode: int) -> GateVerdict:
    """The verdict on ``node`` from the summary at ``path`` and the suite's exit status."""
    if not path.exists():
        return GateVerdict((f"the suite gave no results (exit status {returncode}): see its output above",))
    try:
        summary = read_summary(path)
    except UsageError as err:
        return GateVerdict((f"the suite's results cannot be read: {err}",))
    if summary.run.interrupted:
        return GateVerdict((f"the run was interrupted (exit status {returncode}): its partial results are no "
                            "verdict",))
    levels = summary.run.admission_levels
    not_passing = [r for r in summary.results if r.outcome in NOT_PASSING]
    blocking = _lines(r for r in not_passing if blocks_admission(r.level, levels))
    reported = _lines(r for r in not_passing if not blocks_admission(r.level, levels))
    if not any(r.node == node and r.outcome == "passed" for r in summary.results):
        blocking.append(f"no check passed on {node} itself (was it found as a GPU node?)")
    explained = returncode == TESTS_FAILED and bool(reported)  # some check failed: one that does not block
    if returncode != 0 and not blocking and not explained:
        blocking.append(f"the suite exited with status {returncode}: see its output above")
    return GateVerdict(tuple(blocking), tuple(reported), levels)


def _lines(results: Iterable[Result]) -> list[str]:
    """One line per result: root causes with the suite's message first, then what follows from them."""
    results = list(results)
    lines = [f"{r.check} on {r.node}: {r.outcome}: {r.message.splitlines()[0] if r.message else ''}"
             for r in results if not r.caused_by]
    lines += [f"{r.check} on {r.node}: {r.outcome} as a consequence of {', '.join(r.caused_by)}"
              for r in results if r.caused_by]
    return lines
