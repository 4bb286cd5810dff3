"""The ``gpusim`` command: serve a simulated GPU cluster, or run a command against one.

    gpusim serve [--scenario NAME|FILE] [--kubeconfig PATH] ...   until Ctrl-C or SIGTERM
    gpusim run [--scenario NAME|FILE] ... -- COMMAND ARGS...       start, run COMMAND, stop

``run`` exports KUBECONFIG for COMMAND and replaces ``{kubeconfig}`` in its arguments with the path;
its exit status is COMMAND's. ``--image NAME=COMMAND`` (both) makes containers of image NAME run
COMMAND from this machine's PATH (images/registered.py); ``--image-env NAME:KEY=VALUE`` gives that image an
ENV of its Dockerfile's (NVIDIA_VISIBLE_DEVICES=all, as every CUDA image has).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from .cluster import SimCluster, SimStartError
from .images import register_image
from .model import Scenario
from .scenario import ScenarioError, bundled_names, load


class UsageError(Exception):
    """Bad input: one line on stderr and exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gpusim", description="A simulated GPU cluster on loopback: a "
                                     "Kubernetes API, GPU nodes, their host files, device plugins, exporters.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser("serve", help="serve a simulated cluster until Ctrl-C or SIGTERM",
                                description="Start a simulated GPU cluster, write its kubeconfig, and serve "
                                            "until Ctrl-C or SIGTERM.")
    _cluster_options(serve)
    serve.add_argument("--kubeconfig", type=Path, default=Path("sim.kubeconfig"), metavar="PATH",
                       help="where to write the kubeconfig (default: ./sim.kubeconfig); removed on exit")
    serve.add_argument("--port", type=int, default=6443, help="API server port; 0 picks a free one")
    serve.add_argument("--list-scenarios", action="store_true", help="print the bundled scenario names")
    serve.set_defaults(run=_serve)
    run = commands.add_parser("run", help="start a simulated cluster, run a command against it, stop it",
                              usage="gpusim run [--scenario NAME|FILE] [--image NAME=COMMAND] "
                                    "[--image-env NAME:KEY=VALUE] -- COMMAND ARGS...",
                              description="Start a simulated cluster on a free port, run COMMAND with KUBECONFIG "
                                          "set ({kubeconfig} in ARGS becomes its path), stop the cluster. "
                                          "Exit status: COMMAND's.")
    _cluster_options(run)
    run.add_argument("passthrough", nargs=argparse.REMAINDER, metavar="-- COMMAND ARGS...")
    run.set_defaults(run=_run, port=0)
    return parser


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenario", default="seed", metavar="NAME|FILE",
                        help="a bundled scenario name or a scenario YAML file (default: seed)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address of the API server")
    parser.add_argument("--address-block", type=int, default=0, metavar="N",
                        help="put node addresses in 127.N.0.0/16 instead of 127.0.0.0/16, to run a second "
                             "simulated cluster beside the first")
    parser.add_argument("--insecure-http", action="store_true",
                        help="serve plain HTTP instead of HTTPS with a throwaway CA")
    parser.add_argument("--image", action="append", default=[], metavar="NAME=COMMAND",
                        help="containers of an image whose reference contains NAME and whose command is "
                             "COMMAND's name run COMMAND (a Python program on PATH) here; repeatable")
    parser.add_argument("--image-env", action="append", default=[], metavar="NAME:KEY=VALUE",
                        help="an ENV of the --image NAME's own (its Dockerfile's), which the simulated runtime "
                             "reads as a real one does (NVIDIA_VISIBLE_DEVICES); repeatable")


def _scenario(args: argparse.Namespace) -> Scenario:
    try:
        if not ipaddress.ip_address(args.host).is_loopback:
            raise UsageError(f"--host {args.host} is not a loopback address (127.0.0.0/8)")
    except ValueError as exc:
        raise UsageError(f"--host {args.host} is not an IP address") from exc
    if not 0 <= args.address_block <= 255:
        raise UsageError(f"--address-block {args.address_block} is not in 0..255")
    envs: dict[str, dict[str, str]] = {}
    for item in args.image_env:
        name, _, assignment = item.partition(":")
        key, equals, value = assignment.partition("=")
        if not name or not key or not equals:
            raise UsageError(f"--image-env {item}: expected NAME:KEY=VALUE")
        envs.setdefault(name, {})[key] = value
    for image in args.image:
        name, _, command = image.partition("=")
        program = shutil.which(command) if name and command else None
        if program is None:
            raise UsageError(f"--image {image}: expected NAME=COMMAND with COMMAND on PATH")
        register_image(name, os.path.basename(command), [program], env=envs.get(name))
    orphans = sorted(set(envs) - {image.partition("=")[0] for image in args.image})
    if orphans:
        raise UsageError(f"--image-env {orphans[0]}:...: no --image {orphans[0]}=COMMAND to give it to")
    try:
        return load(args.scenario)
    except ScenarioError as exc:
        raise UsageError(str(exc)) from exc


@contextmanager
def _started(args: argparse.Namespace, scenario: Scenario, kubeconfig: Path) -> Iterator[SimCluster]:
    cluster = SimCluster(scenario, kubeconfig, host=args.host, port=args.port, tls=not args.insecure_http,
                         address_block=args.address_block)
    try:
        cluster.start()
    except SimStartError as exc:
        raise UsageError(str(exc)) from exc
    try:
        yield cluster
    finally:
        cluster.stop()


def _serve(args: argparse.Namespace) -> int:
    if args.list_scenarios:
        print("\n".join(bundled_names()))
        return 0
    scenario = _scenario(args)
    stopping = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with _started(args, scenario, args.kubeconfig) as cluster:
        gpu_nodes = len(scenario.gpu_nodes)
        print(f'simulated cluster "{scenario.name}" ({len(scenario.nodes)} nodes, {gpu_nodes} with GPUs) '
              f"at {cluster.url}; kubeconfig: {args.kubeconfig}", flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


def _run(args: argparse.Namespace) -> int:
    if args.passthrough[:1] == ["--"]:
        args.passthrough = args.passthrough[1:]
    if not args.passthrough:
        raise UsageError("name the command to run after --")
    scenario = _scenario(args)
    with tempfile.TemporaryDirectory(prefix="gpusim-") as tmp:
        kubeconfig = Path(tmp) / f"{scenario.name}.kubeconfig"
        with _started(args, scenario, kubeconfig) as cluster:
            print(f"Simulated cluster {scenario.name!r} at {cluster.url}: {scenario.description.strip()}\n",
                  flush=True)
            command = [arg.replace("{kubeconfig}", str(kubeconfig)) for arg in args.passthrough]
            try:
                child = subprocess.Popen(command, env={**os.environ, "KUBECONFIG": str(kubeconfig)})
            except OSError as exc:
                raise UsageError(f"run: cannot start {command[0]}: {exc.strerror or exc}") from exc
            previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signum))
            try:
                code = _wait(child)
            finally:
                signal.signal(signal.SIGTERM, previous)
    return code


def _wait(child: subprocess.Popen[bytes]) -> int:
    """The child's exit status (128+N when killed by signal N); Ctrl-C reaches it from the terminal, and
    the cluster stays up until it has cleaned up and exited."""
    while True:
        try:
            code = child.wait()
            return 128 - code if code < 0 else code
        except KeyboardInterrupt:
            continue


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except UsageError as err:
        print(f"gpusim {args.command}: {err}", file=sys.stderr)
        return 2
    return code
