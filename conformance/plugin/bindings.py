"""At collection: every conformance test is bound to one catalogue entry, and every entry to one test.

A test states its check with ``@verifies(checks.ENTRY)`` (conformance/binding.py). A mark written by hand,
a mark naming an unknown id, two tests claiming one check, or (when the whole suite is collected) an entry
no test verifies stops the run before anything touches the cluster, one line per problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from gpu_conformance.checks import CHECKS, Check

from ..binding import MARKER
from .options import SUITE_DIR


@dataclass(frozen=True)
class Claim:
    """What one test function declares: its id without parameters, and its check marks."""

    test: str  # "conformance/test_prerequisites.py::test_driver_version"
    marks: tuple[pytest.Mark, ...]


def _constant(check: Check) -> str:
    return f"checks.{check.id.replace('-', '_')}"


def _claimed_id(claim: Claim, known: dict[str, Check]) -> tuple[str | None, str | None]:
    """The check id the claim binds, or the problem with it."""
    if len(claim.marks) != 1:
        return None, f"{claim.test}: declare its check with exactly one @verifies(checks.ENTRY)"
    mark = claim.marks[0]
    check_id = str(mark.args[0]) if mark.args else ""
    entry = known.get(check_id)
    if entry is None:
        return None, f"{claim.test}: unknown check {check_id!r} (known: {', '.join(known)})"
    if mark.kwargs.get("entry") is not entry:
        return None, f"{claim.test}: check {check_id} marked by hand; declare it with @verifies({_constant(entry)})"
    return check_id, None


def binding_problems(claims: Iterable[Claim], catalogue: Sequence[Check], complete: bool) -> list[str]:
    """Each problem on one line; ``complete`` when every test module of the suite was collected."""
    known = {check.id: check for check in catalogue}
    problems: list[str] = []
    claimed: dict[str, str] = {}  # check id -> test
    for claim in {claim.test: claim for claim in claims}.values():  # parametrized items: one claim
        check_id, problem = _claimed_id(claim, known)
        if problem is not None:
            problems.append(problem)
        elif check_id is not None and claimed.setdefault(check_id, claim.test) != claim.test:
            problems.append(f"{check_id} is claimed by two tests: {claimed[check_id]} and {claim.test}")
    if complete:
        problems += [f"{check.id} has no conformance test: add one with @verifies({_constant(check)})"
                     for check in catalogue if check.id not in claimed]
    return problems


@pytest.hookimpl(tryfirst=True)  # before -k and -m deselect, so the whole suite is judged
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = [item for item in items if SUITE_DIR in Path(str(item.path)).parents]
    claims = [Claim(item.nodeid.partition("[")[0], tuple(item.iter_markers(MARKER))) for item in suite]
    complete = {Path(str(item.path)) for item in suite} >= set(SUITE_DIR.glob("test_*.py"))
    problems = binding_problems(claims, CHECKS, complete)
    if problems:
        raise pytest.UsageError("\n".join(problems))
