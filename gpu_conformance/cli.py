"""The ``gpu-conformance`` command: a thin dispatcher over gpu_conformance.commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .commands import probe, sim
from .errors import UsageError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gpu-conformance",
        description="Prove, node by node, that a Kubernetes cluster's NVIDIA GPU chain holds.",
    )
    parser.add_argument("--version", action="version", version=f"gpu-conformance {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sim.register(commands)
    probe.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as err:
        print(f"gpu-conformance {args.command}: {err}", file=sys.stderr)
        return 2
    return code
