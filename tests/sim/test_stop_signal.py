"""A container's process is its PID namespace's init: the stop signal reaches it only once it has a handler for it
(pid_namespaces(7)); before that, SIGKILL at the end of the grace period ends it."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest
from gpusim.controllers.runtime import catches

pytestmark = pytest.mark.e2e  # real processes
_HANDLER = "import signal, sys, time; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); print(flush=True); "


@pytest.mark.parametrize(("program", "caught"), [(_HANDLER + "time.sleep(30)", True),
                                                 ("print(flush=True); import time; time.sleep(30)", False)],
                         ids=["handler-set", "default-action"])
def test_a_process_catches_sigterm_only_with_a_handler(program: str, caught: bool) -> None:
    process = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None and process.stdout.readline() == b"\n"  # the handler is set by now
        assert catches(process.pid, signal.SIGTERM) is caught
        assert catches(process.pid, signal.SIGUSR1) is False
    finally:
        process.kill()
        process.wait()


def test_a_process_that_is_gone_catches_nothing() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    time.sleep(0.1)
    assert catches(process.pid, signal.SIGTERM) is False
