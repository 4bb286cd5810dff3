"""``gpu-conformance probe``: print one node's facts as JSON (drivers, GPUs, toolkit, runtime config).

Runs in a short-lived privileged pod with the host's / mounted read-only at /host (the default),
or on the machine itself with ``--host-root /``. Missing facts are part of the JSON, exit status 0;
only bad usage exits 2. With ``--termination-log`` the JSON is also written there when it fits a termination
message (facts/termination_message.py), so the suite need not read the pod's log.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..node.probe import probe
from ..node.versions import container_runtime
from .termination_log import write_termination_log


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "probe", help="print this node's GPU facts as JSON (driver, GPUs, toolkit, runtime configuration)",
        description="Read a GPU node's driver, GPUs, container toolkit and container runtime configuration "
                    "from its host root and print them as JSON, each fact with where it was read.",
    )
    parser.add_argument("--host-root", type=Path, default=Path("/host"), metavar="DIR",
                        help="where the host's / is mounted (default: /host; / on the machine itself)")
    parser.add_argument("--runtime", metavar="KIND",
                        help="containerd, docker or cri-o, or the node's containerRuntimeVersion such as "
                             "containerd://1.7.2 (default: detected from the host's files)")
    parser.add_argument("--node", metavar="NAME", help="the node's name, recorded in the output")
    parser.add_argument("--termination-log", type=Path, metavar="FILE",
                        help="also write the JSON to FILE when it fits a termination message "
                             "(the pod's terminationMessagePath, /dev/termination-log)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    root: Path = args.host_root
    if not root.is_dir():
        raise UsageError(f"--host-root {root}: no such directory")
    if args.runtime is not None:
        try:
            container_runtime(args.runtime)
        except ValueError as exc:
            raise UsageError(f"--runtime: {exc}") from exc
    text = probe(root, args.runtime, args.node).to_json()
    print(text, flush=True)
    if args.termination_log is not None:
        write_termination_log(args.termination_log, text, str(root))
    return 0
