"""The suite among common pytest plugins: pytest-timeout, pytest-xdist and pytest-randomly loaded and enabled.

No option clashes (pytest-timeout's --timeout is its own), and shuffling the checks' order changes no
verdict: every check reads facts the session gathered once, whatever runs first. The project's own
tests run with pytest-randomly disabled (pyproject's addopts); here it is enabled again for the child run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from tests.suite.suite_runner import SuiteRun, run_suite

pytestmark = pytest.mark.e2e

TUTORIAL_SELECTOR = ("--gpu-node-selector", "gpu-node=true")
PLUGINS = ("-p", "randomly", "-p", "xdist", "-p", "timeout")
SEEDED = ("--randomly-seed=1234", "--timeout", "120", "-v")  # -v: the plugins' report header lines show


def test_shuffled_among_common_plugins_same_verdicts(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("runtime-not-default")  # a failing node, so equal verdicts mean more than all passed
    plain = run_suite(cluster, tmp_path, *TUTORIAL_SELECTOR)
    shuffled = run_suite(cluster, tmp_path, *TUTORIAL_SELECTOR, *PLUGINS, *SEEDED)
    again = run_suite(cluster, tmp_path, *TUTORIAL_SELECTOR, *PLUGINS, *SEEDED)
    assert "Using --randomly-seed=1234" in shuffled.stdout and "timeout: 120.0s" in shuffled.stdout, shuffled.stdout
    assert plain.failing() and verdicts(shuffled) == verdicts(plain) and shuffled.failing() == plain.failing()
    assert shuffled.returncode == plain.returncode
    assert list(shuffled.outcomes) != list(plain.outcomes)  # the order differs, the verdicts do not
    assert list(again.outcomes) == list(shuffled.outcomes)  # and one seed is one order


def verdicts(run: SuiteRun) -> dict[str, str]:
    """Test id -> outcome; the messages may differ in what changed meanwhile (a crash-looping pod's restarts)."""
    return {test: outcome for test, (outcome, _) in run.outcomes.items()}
