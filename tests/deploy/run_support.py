"""Running ``gpu-conformance run`` as a user or the image does, from a checkout, for the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.suite.suite_runner import ROOT


def run_command(results: Path, *suite_args: str, report: bool = False) -> list[str]:
    """``gpu-conformance run [--report] --results-dir RESULTS -- -q SUITE_ARGS``."""
    return [sys.executable, "-m", "gpu_conformance", "run", *(["--report"] if report else []),
            "--results-dir", str(results), "--", "-q", *suite_args]


def run(results: Path, *suite_args: str, report: bool = False,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(run_command(results, *suite_args, report=report), cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, check=False)


def output_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
