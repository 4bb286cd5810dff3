"""``gpu-conformance sees --dev DIR [--hold SECONDS]``: print what this container sees of the GPUs, as JSON.

The suite's isolation pods run it (unprivileged, with or without a GPU) to learn whether a container reaches
GPUs it did not ask for: the ``nvidiaN`` device files in DIR, the GPUs NVML lists, and NVIDIA_VISIBLE_DEVICES.
With ``--hold`` it then keeps running, so that two pods hold their GPUs at the same time; SIGTERM (the pod's
deletion) ends it with status 0, at once or, when it comes earlier, once the JSON is written. Only bad usage
exits 2.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import UsageError
from ..node.container_view import look
from .termination_log import write_termination_log


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sees", help="print the GPUs this container sees as JSON (device files, NVML, NVIDIA_VISIBLE_DEVICES)",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--dev", type=Path, required=True, metavar="DIR",
                        help="the container's device directory (/dev in a pod)")
    parser.add_argument("--termination-log", type=Path, metavar="FILE",
                        help="also write the JSON to FILE (the pod's terminationMessagePath, /dev/termination-log)")
    parser.add_argument("--hold", type=float, default=None, metavar="SECONDS",
                        help="after printing, keep running up to SECONDS (SIGTERM ends it at once, status 0)")
    parser.set_defaults(run=run)


class _Released(Exception):
    """SIGTERM while holding: the pod is being deleted, which is how a hold is meant to end."""


class _Hold:
    """SIGTERM ends the hold, but only once what was seen is written: the suite deletes the holders as soon as they
    run and reads their termination messages, so a deletion that comes first waits until the file is written."""

    def __init__(self) -> None:
        self.released = False
        self.written = False

    def release(self, signum: int, frame: FrameType | None) -> None:
        self.released = True
        if self.written:
            raise _Released

    def keep(self, seconds: float) -> None:
        """What was seen is written: hold up to ``seconds``, or not at all if released meanwhile."""
        with contextlib.suppress(_Released):
            self.written = True
            if not self.released:
                time.sleep(seconds)


def run(args: argparse.Namespace) -> int:
    if args.hold is not None and args.hold < 0:
        raise UsageError(f"--hold {args.hold:g}: must be 0 or more seconds")
    hold = _Hold()
    if args.hold is not None:  # before looking: a deletion meanwhile must neither kill us with 143 nor cut us short
        signal.signal(signal.SIGTERM, hold.release)
    text = look(args.dev).to_json()
    print(text, flush=True)
    if args.termination_log is not None:
        write_termination_log(args.termination_log, text)
    if args.hold is not None:
        hold.keep(args.hold)
    return 0
