"""Running the conformance suite as ``python -m pytest conformance ...`` from its root (suite_files.py)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .suite_files import suite_root


def results_options(directory: Path) -> list[str]:
    """Where a run leaves everything in ``directory``: Allure results (this run's only), JUnit XML, summary.json."""
    return ["--alluredir", str(directory / "allure-results"), "--clean-alluredir",
            "--junitxml", str(directory / "junit.xml"), "--summary-dir", str(directory)]


def pytest_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "pytest", "conformance", *args]


def run_pytest(args: Sequence[str]) -> int:
    """Run the suite in a child process from its root; pytest's exit status (128+N when killed by signal N).

    SIGTERM is passed on to pytest, which then removes what the run created before it exits. As a
    container's PID 1 this process would otherwise ignore SIGTERM, and the kubelet's SIGKILL would end
    the pod after the grace period with nothing cleaned up. SIGINT is not passed on: Ctrl-C reaches
    pytest from the terminal already, and a second one would interrupt its cleanup.
    """
    child = subprocess.Popen(pytest_command(args), cwd=suite_root())
    with _sigterm_passed_to(child):
        code = child.wait()
    return 128 - code if code < 0 else code


@contextmanager
def _sigterm_passed_to(child: subprocess.Popen[bytes]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, frame: FrameType | None) -> None:
        child.send_signal(signum)

    previous = {signal.SIGTERM: signal.signal(signal.SIGTERM, forward),
                signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
