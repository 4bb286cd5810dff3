"""``gpu-conformance sees --dev DIR [--hold SECONDS]``: print what this container sees of the GPUs, as JSON.

The suite's isolation pods run it (unprivileged, with or without a GPU) to learn whether a container reaches
GPUs it did not ask for: the ``nvidiaN`` device files in DIR, the GPUs NVML lists, and NVIDIA_VISIBLE_DEVICES.
With ``--hold`` it then keeps running, so that two pods hold their GPUs at the same time while the suite reads
them; SIGTERM (the pod's deletion) ends it at once with status 0. Only bad usage exits 2.
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


def _release(signum: int, frame: FrameType | None) -> None:
    raise _Released


def run(args: argparse.Namespace) -> int:
    if args.hold is not None and args.hold < 0:
        raise UsageError(f"--hold {args.hold:g}: must be 0 or more seconds")
    if args.hold is not None:  # before printing: a deletion right after the output must not kill us with 143
        signal.signal(signal.SIGTERM, _release)
    text = look(args.dev).to_json()
    print(text, flush=True)
    if args.termination_log is not None:
        write_termination_log(args.termination_log, text)
    if args.hold is not None:
        with contextlib.suppress(_Released):
            time.sleep(args.hold)
    return 0
