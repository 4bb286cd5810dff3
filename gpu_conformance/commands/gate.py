"""``gpu-conformance gate NODE``: admit a new GPU node only if every check passes on it.

The node must be held back (cordoned, or tainted with ``--admission-taint KEY``) so nothing but the
suite's own pods lands on it meanwhile; those tolerate the hold. If the whole suite passes for that
node, the hold is lifted and the node labelled; if anything fails or could not be inspected, the node
is left exactly as it was and the reasons are printed. ``--dry-run`` runs the checks and says what it
would change. SIGINT, SIGTERM and SIGHUP admit nothing (exit 128+N): the suite gets the signal and cleans
up, and the gate checks for one right before it sends the admitting patch (docs/gate.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..kube.admission import Hold, admit, read_hold, validated_label
from ..kube.client import connect
from ..scratch import remove_stale, scratch_dir
from ..settings import resolve
from ..stop_signals import Stopped, StopSignals, stop_signals
from ..suite import USAGE_ERROR, results_options, run_pytest
from .gate_verdict import GateVerdict, gate_verdict

EXIT_ADMITTED, EXIT_NOT_ADMITTED = 0, 1


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "gate", help="run every check on a held-back node; uncordon/untaint and label it only if all pass",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="gpu-conformance gate NODE [options] [-- SUITE_OPTIONS...]",
        epilog="Options after -- go to the suite, e.g. -- --conformance-profile profile.yaml")
    parser.add_argument("node", metavar="NODE", help="the node to admit (cordoned or carrying --admission-taint)")
    parser.add_argument("--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)")
    parser.add_argument("--kube-context", "--context", dest="context",
                        help="kubeconfig context (default: the current context)")
    parser.add_argument("--admission-taint", metavar="KEY",
                        help="taint key that holds new nodes back (removed on success; the suite's pods tolerate it)")
    parser.add_argument("--label", metavar="KEY=VALUE",
                        help="label set on success (default: gpu-conformance/validated=<today>)")
    parser.add_argument("--dry-run", action="store_true",
                        help="run the checks, print what would change, change nothing")
    parser.add_argument("--report-dir", metavar="DIR", help="keep summary.json, JUnit and Allure results here")
    parser.set_defaults(run=run, takes_passthrough=True)


def run(args: argparse.Namespace) -> int:
    """The gate; a signal at any point admits nothing (exit 128+N), except once the patch is on its way."""
    remove_stale()  # scratch folders of gates killed outright
    label = validated_label(args.label)
    with stop_signals() as signals:
        try:
            with scratch_dir() as scratch:
                return _gate(args, label, signals, scratch)
        except Stopped as stop:
            print(f"gate: {args.node} NOT admitted, nothing changed: {stop}", flush=True)
            return stop.exit_status


def _gate(args: argparse.Namespace, label: tuple[str, str], signals: StopSignals, scratch: Path) -> int:
    settings = resolve({"kubeconfig": args.kubeconfig, "context": args.context})
    connection = connect(settings)
    try:
        hold = read_hold(connection, args.node, args.admission_taint)
        print(f"gate: {args.node} is held back ({', '.join(hold.tolerations)}); running every check on it", flush=True)
        reports = Path(args.report_dir) if args.report_dir else scratch / "results"
        returncode = _run_suite(args, hold, reports, signals)
        signals.check()  # the suite was interrupted by our signal: it cleaned up, there is no verdict
        verdict = gate_verdict(reports / "summary.json", args.node, returncode)
        _print_reported(args.node, verdict)
        if verdict.blocking:
            print(f"gate: {args.node} NOT admitted, nothing changed: {len(verdict.blocking)} check(s) did not pass:")
            for line in verdict.blocking:
                print(f"  {line}")
            return EXIT_NOT_ADMITTED
        changes = ", ".join(hold.changes(label))
        passed = f"passed every {'/'.join(verdict.admission_levels)} check" if verdict.reported else \
            "passed every check"
        if args.dry_run:
            print(f"gate: {args.node} {passed}; --dry-run: would {changes}")
            return EXIT_ADMITTED
        current = read_hold(connection, args.node, args.admission_taint)
        signals.settle()
        signals.check()  # the last moment a signal stops the gate: from here the patch is on its way
        admit(connection, current, label)
        print(f"gate: {args.node} {passed} and is admitted: {changes}", flush=True)
        if signals.received is not None:
            print(f"gate: {signals.received.name} came while the admitting patch was on its way; it was applied")
            return 128 + signals.received
        return EXIT_ADMITTED
    finally:
        connection.close()


def _run_suite(args: argparse.Namespace, hold: Hold, reports: Path, signals: StopSignals) -> int:
    """The suite's exit status; its usage error (exit 4: a bad option after --) is the gate's, one line."""
    options = ["--gpu-node", hold.node, *results_options(reports)]
    for toleration in hold.tolerations:
        options += ["--tolerate-taint", toleration]
    for flag, value in (("--kubeconfig", args.kubeconfig), ("--kube-context", args.context)):
        if value:
            options += [flag, value]
    done = run_pytest([*options, *args.passthrough], signals, capture_stderr=True)
    if done.code == USAGE_ERROR and signals.received is None:
        raise UsageError(f"the suite did not start: {done.usage_error()}")
    sys.stderr.write(done.stderr)
    return done.code


def _print_reported(node: str, verdict: GateVerdict) -> None:
    """Failures of levels outside admission-levels: said, never blocking."""
    if verdict.reported:
        print(f"gate: {node}: {len(verdict.reported)} check(s) did not pass at levels that do not block admission "
              f"(admission-levels: {', '.join(verdict.admission_levels)}):")
        for line in verdict.reported:
            print(f"  {line}")
