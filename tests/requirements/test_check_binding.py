"""A conformance test is bound to one catalogue entry, once; a wrong binding stops the run at collection,
and a judge answering for another check fails loudly."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest

from conformance.binding import CheckMismatch, require, verifies
from conformance.plugin.bindings import Claim, binding_problems
from conformance.plugin.options import SUITE_DIR
from gpu_conformance.checks import CHECKS, PRE_DRIVER, PRE_TOOLKIT, Check
from gpu_conformance.verdict import Verdict

CATALOGUE = (PRE_DRIVER, PRE_TOOLKIT)
# The suite's markers are registered by its plugin, which the project's own tests do not load.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")


def _marks(test: object) -> tuple[pytest.Mark, ...]:
    return tuple(m for m in getattr(test, "pytestmark", []) if m.name == "check")


def _judged_by(check: Check) -> Callable[[Verdict], None]:
    """A conformance test declared with @verifies(check) that requires whatever verdict it is given."""

    @verifies(check)
    def test(verdict: Verdict) -> None:
        require(verdict)

    return test


def _claim(name: str, *marks: pytest.Mark) -> Claim:
    return Claim(f"conformance/test_x.py::{name}", marks)


DRIVER = _claim("test_driver", pytest.Mark("check", ("PRE-DRIVER",), {"entry": PRE_DRIVER}, _ispytest=True))


def test_verifies_marks_the_test_with_the_catalogue_entry() -> None:
    assert _marks(_judged_by(PRE_DRIVER)) == DRIVER.marks


def test_a_complete_binding_has_no_problem() -> None:
    toolkit = _claim("test_toolkit", *_marks(_judged_by(PRE_TOOLKIT)))
    assert binding_problems([DRIVER, DRIVER, toolkit], CATALOGUE, complete=True) == []


def test_a_mark_naming_an_unknown_id_is_an_error() -> None:
    problems = binding_problems([_claim("test_gpu", pytest.mark.check("PRE-GPU").mark)], CATALOGUE, complete=False)
    assert problems == ["conformance/test_x.py::test_gpu: unknown check 'PRE-GPU' (known: PRE-DRIVER, PRE-TOOLKIT)"]


def test_a_mark_written_by_hand_must_use_the_catalogue_entry() -> None:
    problems = binding_problems([_claim("test_driver", pytest.mark.check("PRE-DRIVER").mark)], CATALOGUE,
                                complete=False)
    assert problems == ["conformance/test_x.py::test_driver: check PRE-DRIVER marked by hand; "
                        "declare it with @verifies(checks.PRE_DRIVER)"]


def test_a_test_without_a_check_is_an_error() -> None:
    assert binding_problems([_claim("test_nothing")], CATALOGUE, complete=False) == [
        "conformance/test_x.py::test_nothing: declare its check with exactly one @verifies(checks.ENTRY)"]


def test_two_tests_claiming_one_check_is_an_error() -> None:
    other = _claim("test_driver_again", *DRIVER.marks)
    assert binding_problems([DRIVER, other], CATALOGUE, complete=False) == [
        "PRE-DRIVER is claimed by two tests: conformance/test_x.py::test_driver and "
        "conformance/test_x.py::test_driver_again"]


def test_an_entry_without_a_test_is_an_error_when_the_whole_suite_is_collected() -> None:
    assert binding_problems([DRIVER], CATALOGUE, complete=True) == [
        "PRE-TOOLKIT has no conformance test: add one with @verifies(checks.PRE_TOOLKIT)"]
    assert binding_problems([DRIVER], CATALOGUE, complete=False) == []


def test_require_states_the_verdict_of_the_declared_check() -> None:
    _judged_by(PRE_DRIVER)(Verdict.passed(PRE_DRIVER, "535.104.05", "NVML"))
    with pytest.raises(pytest.fail.Exception, match=r"\[PRE-DRIVER\] found 384.0"):
        _judged_by(PRE_DRIVER)(Verdict.failed(PRE_DRIVER, "384.0", "NVML", ">= 384.81"))


def test_a_judge_answering_for_another_check_fails_loudly() -> None:
    with pytest.raises(CheckMismatch, match="the test verifies PRE-DRIVER but its judge returned a verdict of "
                                            "PRE-TOOLKIT"):
        _judged_by(PRE_DRIVER)(Verdict.passed(PRE_TOOLKIT, "1.14.0", "dpkg"))


def test_require_outside_a_declared_test_fails_loudly() -> None:
    with pytest.raises(CheckMismatch, match="outside a test declared with @verifies"):
        require(Verdict.passed(PRE_DRIVER, "535.104.05", "NVML"))


def test_the_suite_binds_every_check_once() -> None:
    """The real suite, collected as pytest would: one test per catalogue entry, each through @verifies."""
    claims = []
    for path in sorted(SUITE_DIR.glob("test_*.py")):
        module = importlib.import_module(f"conformance.{path.stem}")
        claims += [Claim(f"{path.name}::{name}", _marks(test)) for name, test in vars(module).items()
                   if name.startswith("test_") and callable(test)]
    assert binding_problems(claims, CHECKS, complete=True) == []
