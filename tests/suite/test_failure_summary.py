"""The failure summary (conformance/plugin/failure_summary.py): what pytest prints, at a cost linear in the tests.

Run in-process with pytester on a small module: half its tests have a teardown that prints, a fifth fail.
"""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest

@pytest.fixture
def noisy():
    yield
    print("teardown of a noisy test")

@pytest.mark.parametrize("n", range(10))
def test_noisy(n, noisy):
    assert n % 5 != 0

@pytest.mark.parametrize("n", range(10))
def test_quiet(n):
    assert n % 5 != 0
"""
# Runs after the plugin's wrapper has pruned and before the terminal reporter prints: what the summary looks through.
COUNTING = """
def pytest_terminal_summary(terminalreporter):
    print("passed phases:", len(terminalreporter.stats.get("", [])))
"""
PLUGIN = ("-p", "conformance.plugin.failure_summary")


def _summary(pytester: pytest.Pytester, *args: str) -> tuple[str, int]:
    pytester.makepyfile(test_summary=TESTS)
    pytester.makeconftest(COUNTING)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=16, failed=4)
    text = "\n".join(result.outlines)
    counted = re.search(r"passed phases: (\d+)", text)
    assert counted is not None, text
    failures = text[text.index("= FAILURES ="):text.index("passed phases:")]
    return re.sub(r"\d+\.\d+s", "", failures), int(counted[1])


def test_the_summary_prints_the_same_teardown_output(pytester: pytest.Pytester) -> None:
    plain, _ = _summary(pytester)
    pruned, _ = _summary(pytester, *PLUGIN)
    assert pruned == plain
    assert pruned.count("teardown of a noisy test") == 2  # the two failed noisy tests' teardowns


def test_the_summary_looks_only_through_teardowns_with_output(pytester: pytest.Pytester) -> None:
    _, plain = _summary(pytester)
    _, pruned = _summary(pytester, *PLUGIN)
    assert plain == 20 + 20  # every test's passed set-up and teardown
    assert pruned == 10  # the noisy tests' teardowns, the only ones it could print
