"""The suite's heap plugin (conformance/plugin/heap.py): the collector is off while the suite starts and collects,
what exists once the items are collected is frozen, and all of it is handed back, as it was, when the run ends.

Run in-process with pytester: what the tests see of the collector, and what is left after the run.
"""

from __future__ import annotations

import gc

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import gc

COLLECTING = (gc.isenabled(), gc.get_freeze_count())  # while pytest imports the module: collection

def test_the_collected_session_is_frozen():
    assert COLLECTING == (False, 0)
    assert gc.isenabled() and gc.get_freeze_count() > 1000
"""


def test_collection_runs_without_the_collector_and_its_heap_is_frozen_until_the_end(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_frozen=TESTS)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "conformance.plugin.heap")
    result.assert_outcomes(passed=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_turned_off_before_the_run_stays_off(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_off="import gc\n\ndef test_off():\n    assert not gc.isenabled()\n")
    gc.disable()
    try:
        result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "conformance.plugin.heap")
        result.assert_outcomes(passed=1)
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def test_a_collection_error_hands_everything_back(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_broken="raise ImportError('no such module')\n")
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", "-p", "conformance.plugin.heap")
    result.assert_outcomes(errors=1)
    assert gc.isenabled() and gc.get_freeze_count() == 0
