"""A FactsUnavailable reaches pytest's report from one shallow frame (conformance/plugin/stray_errors.py), its
message whole: pytest renders no traceback through the fixtures and its own frames only for session.py to replace
it with one line. At 1000 nodes, a gathering that fails is reported by every check of every node.

Run in-process with pytester: a session fixture and a judge raise it three calls deep; an inner wrapper sees what
pytest's report is made from.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest
from gpu_conformance.facts.unavailable import FactsUnavailable

def _deeper(what):
    raise FactsUnavailable(f"{what}: the probe pod gpu-conformance/probe-a never ran")

def _deep(what):
    _deeper(what)

@pytest.fixture(scope="session")
def probes():
    _deep("gathering")

@pytest.mark.parametrize("node", ["a", "b"])
def test_gathered(node, probes):
    pass

@pytest.mark.parametrize("node", ["a", "b"])
def test_judged(node):
    _deep("judging")
"""
# Inside the plugin's outermost wrapper: what pytest's report is made from, and the report.
SEEING = """
import pytest

@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.excinfo is not None:
        with open("seen.txt", "a") as seen:
            seen.write(f"{call.when} {len(call.excinfo.traceback)} {type(call.excinfo.value).__name__}: "
                       f"{call.excinfo.value}\\n")
    return report
"""


def test_facts_unavailable_is_reported_from_one_frame_with_its_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gathering=TESTS)
    pytester.makeconftest(SEEING)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "conformance.plugin.stray_errors")
    result.assert_outcomes(passed=0, failed=2, errors=2)
    seen = sorted((pytester.path / "seen.txt").read_text().splitlines())
    assert seen == 2 * ["call 1 FactsUnavailable: judging: the probe pod gpu-conformance/probe-a never ran"] \
        + 2 * ["setup 1 FactsUnavailable: gathering: the probe pod gpu-conformance/probe-a never ran"]
    assert "_deeper" not in "\n".join(result.outlines)  # no frame of the raising call chain was rendered
