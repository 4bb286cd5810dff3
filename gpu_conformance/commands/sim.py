"""``gpu-conformance sim``: run a simulated GPU cluster on loopback until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import UsageError
from ..sim.cluster import SimCluster, SimStartError
from ..sim.scenario import ScenarioError, bundled_names, load


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "sim", help="run a simulated GPU cluster (loopback Kubernetes API, GPU nodes, exporters)",
        description="Start a simulated GPU cluster, write its kubeconfig, and serve until Ctrl-C or SIGTERM.",
    )
    parser.add_argument("--scenario", default="seed", metavar="NAME|FILE",
                        help="a bundled scenario name or a scenario YAML file (default: seed)")
    parser.add_argument("--kubeconfig", type=Path, default=Path("sim.kubeconfig"), metavar="PATH",
                        help="where to write the kubeconfig (default: ./sim.kubeconfig); removed on exit")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address of the API server")
    parser.add_argument("--port", type=int, default=6443, help="API server port; 0 picks a free one")
    parser.add_argument("--address-block", type=int, default=0, metavar="N",
                        help="put node addresses in 127.N.0.0/16 instead of 127.0.0.0/16, to run a second "
                             "simulated cluster beside the first")
    parser.add_argument("--insecure-http", action="store_true",
                        help="serve plain HTTP instead of HTTPS with a throwaway CA")
    parser.add_argument("--list-scenarios", action="store_true", help="print the bundled scenario names")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.list_scenarios:
        print("\n".join(bundled_names()))
        return 0
    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            raise UsageError(f"--host {args.host} is not a loopback address (127.0.0.0/8)")
    except ValueError as exc:
        raise UsageError(f"--host {args.host} is not an IP address") from exc
    try:
        scenario = load(args.scenario)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc
    if not 0 <= args.address_block <= 255:
        raise UsageError(f"--address-block {args.address_block} is not in 0..255")
    cluster = SimCluster(scenario, args.kubeconfig, host=args.host, port=args.port, tls=not args.insecure_http,
                         address_block=args.address_block)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        cluster.start()
    except SimStartError as exc:
        raise UsageError(str(exc)) from exc
    try:
        gpu_nodes = len(scenario.gpu_nodes)
        print(f'simulated cluster "{scenario.name}" ({len(scenario.nodes)} nodes, {gpu_nodes} with GPUs) '
              f"at {cluster.url}; kubeconfig: {args.kubeconfig}", flush=True)
        while not stopping.wait(0.5):
            pass
    finally:
        cluster.stop()
    return 0
