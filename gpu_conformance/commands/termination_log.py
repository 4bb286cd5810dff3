"""Writing a command's JSON as its pod's termination message, besides printing it (facts/termination_message.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..facts.termination_message import encode


def write_termination_log(path: Path, text: str, root: str = "") -> None:
    """Write ``text`` to ``path`` when it fits a termination message; the log has it all, so a failure to write
    (an unprivileged user, no such mount) costs only a log read."""
    message = encode(text, root)
    if message is None:
        return
    try:
        path.write_text(message, encoding="utf-8")
    except OSError as exc:
        print(f"gpu-conformance: cannot write the termination message to {path}: {exc.strerror}", file=sys.stderr)
