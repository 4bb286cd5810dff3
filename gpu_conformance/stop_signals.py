"""SIGINT, SIGTERM and SIGHUP to ``gpu-conformance gate`` or ``run``: the command stops, never half-way into a change.

While the suite runs, a signal is passed on to pytest (which has a process group of its own, so a
terminal's Ctrl-C reaches it once, through us); pytest removes what it created and exits, and the
command then stops. Outside the suite a signal unwinds the command at once (:class:`Stopped`), unless
it is in a step it must either finish or not start (:meth:`StopSignals.deferred`, :meth:`StopSignals.settle`):
there the signal is only remembered, and the command asks :meth:`StopSignals.check` just before the step.
"""

from __future__ import annotations

import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

STOPPING = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(BaseException):
    """A signal ended the command; its exit status is the shell's 128+N.

    A BaseException, like KeyboardInterrupt: ``except Exception`` on the way out does not swallow it.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signal.Signals(signum)
        super().__init__(f"interrupted by {self.signum.name}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum


class StopSignals:
    """What the command does with a signal now: pass it to the suite, remember it, or stop."""

    def __init__(self) -> None:
        self.received: signal.Signals | None = None
        self._child: subprocess.Popen[bytes] | None = None
        self._deferred = 0
        self._raised = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signal.Signals(signum)
        if self._child is not None:
            with suppress(ProcessLookupError):  # it has just ended
                self._child.send_signal(signum)
            return
        if self._deferred or self._raised:  # a second signal never interrupts the unwinding of the first
            return
        self._raised = True
        raise Stopped(signum)

    def check(self) -> None:
        """Stop now if a signal came (while the suite ran, or during a deferred step)."""
        if self.received is not None:
            self._raised = True
            raise Stopped(self.received)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Within the block a signal is only remembered."""
        self._deferred += 1
        try:
            yield
        finally:
            self._deferred -= 1

    def settle(self) -> None:
        """From now on a signal is only remembered: the command is about to make, or has made, its change."""
        self._deferred += 1

    def pass_to(self, child: subprocess.Popen[bytes] | None) -> None:
        """From now on pass signals to ``child`` (None: no longer), starting with one that came meanwhile."""
        self._child = child
        if child is not None and self.received is not None:
            child.send_signal(self.received)


@contextmanager
def stop_signals() -> Iterator[StopSignals]:
    """SIGINT, SIGTERM and SIGHUP handled as StopSignals says within the block (in the main thread only)."""
    signals = StopSignals()
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return
    previous = {sig: signal.signal(sig, signals.handle) for sig in STOPPING}
    try:
        yield signals
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
