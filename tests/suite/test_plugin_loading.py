"""The suite's plugin loads for runs of the suite only (named as a folder or a file), never for the project's tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.suite.suite_runner import ROOT

pytestmark = pytest.mark.e2e


def pytest_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--co", "-q", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def test_the_suite_loads_its_plugin_when_named(tmp_path: Path) -> None:
    for target in ("conformance", "conformance/test_capacity.py"):
        result = pytest_run(target, "--kubeconfig", str(tmp_path / "nope"))
        assert (result.returncode, result.stderr.strip()) == (
            4, f"ERROR: kubeconfig {tmp_path / 'nope'}: no such file (pass --kubeconfig or set KUBECONFIG)")


def test_the_projects_tests_run_without_it() -> None:
    result = pytest_run("tests/test_settings.py", "--gpu-node", "gpu-17")
    assert result.returncode == 4 and "unrecognized arguments: --gpu-node" in result.stderr


def test_a_session_that_does_not_name_the_suite_leaves_it_out() -> None:
    result = pytest_run(".", "--ignore=tests")
    assert result.returncode == 5 and "no tests collected" in result.stdout, result.stdout + result.stderr
