"""The ``gpu-conformance`` command: a thin dispatcher over gpu_conformance.commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .commands import gate, probe, report, run, sees
from .errors import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gpu-conformance",
        description="Prove, node by node, that a Kubernetes cluster's NVIDIA GPU chain holds.",
    )
    parser.add_argument("--version", action="version", version=f"gpu-conformance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    probe.register(commands)
    sees.register(commands)
    report.register(commands)
    run.register(commands)
    gate.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Everything after the first ``--`` is passed on untouched (to pytest, for ``run`` and ``gate``)."""
    given = list(sys.argv[1:] if argv is None else argv)
    split = given.index("--") if "--" in given else len(given)
    parser = build_parser()
    args = parser.parse_args(given[:split])
    args.passthrough = given[split + 1:]
    if args.passthrough and not getattr(args, "takes_passthrough", False):
        parser.error(f"{args.command} takes no arguments after --")
    try:
        code: int = args.run(args)
    except UsageError as err:
        print(f"gpu-conformance {args.command}: {err}", file=sys.stderr)
        return 2
    return code
