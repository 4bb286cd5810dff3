"""SIGTERM, SIGHUP and SIGINT become KeyboardInterrupt during a run, so ``finally:`` blocks (cleanup) still run.

Python turns SIGINT into KeyboardInterrupt already, unless someone replaced the handler; SIGTERM and
SIGHUP (a closed terminal, a CI runner cancelling the job) end the process without unwinding at all.
The previous handlers are restored on the way out.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

UNWINDING = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"received {signal.Signals(signum).name}")


@contextmanager
def interrupts_unwind() -> Iterator[None]:
    """Within the block, SIGTERM, SIGHUP and SIGINT raise KeyboardInterrupt; a no-op outside the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _interrupt) for sig in UNWINDING}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
