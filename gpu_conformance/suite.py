"""Running the conformance suite as ``python -m pytest conformance ...`` from its root (suite_files.py)."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .stop_signals import StopSignals
from .suite_files import suite_root

USAGE_ERROR = 4  # pytest.ExitCode.USAGE_ERROR: the suite refused its options or could not reach the cluster
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class SuiteExit:
    """pytest's exit status (128+N when killed by signal N), and its stderr when that was captured."""

    code: int
    stderr: str = ""

    def usage_error(self) -> str:
        """pytest's one-line reason for a usage error: ``ERROR: <reason>`` or argparse's ``...: error: <reason>``."""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        for line in lines:
            if ": error: " in line:
                return line.split(": error: ", 1)[1]
        reasons = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR: ")]
        return reasons[-1] if reasons else f"pytest exited {self.code}"


def results_options(directory: Path) -> list[str]:
    """Where a run leaves everything in ``directory``: Allure results (this run's only), JUnit XML, summary.json."""
    return ["--alluredir", str(directory / "allure-results"), "--clean-alluredir",
            "--junitxml", str(directory / "junit.xml"), "--summary-dir", str(directory)]


def pytest_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "conformance", *args]


def run_pytest(args: Sequence[str], signals: StopSignals, *, capture_stderr: bool = False) -> SuiteExit:
    """Run the suite in a child process from its root, passing it every SIGINT, SIGTERM and SIGHUP we get.

    The child has a process group of its own, so a terminal's Ctrl-C reaches it once (through us), never
    twice (which would interrupt its cleanup). pytest turns each of those signals into an interruption:
    it removes what the run created, then exits. Should this process die without passing anything on
    (SIGKILL), Linux sends the child SIGTERM (PR_SET_PDEATHSIG), so it cleans up all the same; elsewhere
    it runs on to its end and then cleans up. A signal that came before the child started starts none.
    """
    with signals.deferred():
        signals.check()
        child = subprocess.Popen(pytest_command(args), cwd=suite_root(), process_group=0,
                                 preexec_fn=_dies_with_parent(),
                                 stderr=subprocess.PIPE if capture_stderr else None)
        signals.pass_to(child)
    try:
        _, stderr = child.communicate()
    finally:
        signals.pass_to(None)
    code = child.returncode
    return SuiteExit(128 - code if code < 0 else code, stderr.decode(errors="replace") if stderr else "")


def _dies_with_parent() -> Callable[[], None] | None:
    """In the child, before it runs pytest: SIGTERM to it when this process dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above: no one will send it
            os.kill(os.getpid(), signal.SIGTERM)

    return arm
