"""``gpu-conformance gate NODE``: admit a new GPU node only if every check passes on it.

The node must be held back (cordoned, or tainted with ``--admission-taint KEY``) so nothing but the
suite's own pods lands on it meanwhile; those tolerate the hold. If the whole suite passes for that
node, the hold is lifted and the node labelled; if anything fails or could not be inspected, the node
is left exactly as it was and the reasons are printed. ``--dry-run`` runs the checks and says what it
would change.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..kube.admission import Hold, admit, read_hold, validated_label
from ..kube.client import connect
from ..reporting.summary import read_summary
from ..settings import resolve
from ..suite import results_options, run_pytest

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
    label = validated_label(args.label)
    settings = resolve({"kubeconfig": args.kubeconfig, "context": args.context})
    connection = connect(settings)
    try:
        hold = read_hold(connection, args.node, args.admission_taint)
        print(f"gate: {args.node} is held back ({', '.join(hold.tolerations)}); running every check on it", flush=True)
        with tempfile.TemporaryDirectory(prefix="gpu-gate-") as scratch:
            reports = Path(args.report_dir or scratch)
            returncode = _run_suite(args, hold, reports)
            failures = _failures(reports / "summary.json", args.node, returncode)
        if failures:
            print(f"gate: {args.node} NOT admitted, nothing changed: {len(failures)} check(s) did not pass:")
            for line in failures:
                print(f"  {line}")
            return EXIT_NOT_ADMITTED
        changes = ", ".join(hold.changes(label))
        if args.dry_run:
            print(f"gate: {args.node} passed every check; --dry-run: would {changes}")
            return EXIT_ADMITTED
        admit(connection, read_hold(connection, args.node, args.admission_taint), label)
        print(f"gate: {args.node} passed every check and is admitted: {changes}")
        return EXIT_ADMITTED
    finally:
        connection.close()


def _run_suite(args: argparse.Namespace, hold: Hold, reports: Path) -> int:
    options = ["--gpu-node", hold.node, *results_options(reports)]
    for toleration in hold.tolerations:
        options += ["--tolerate-taint", toleration]
    for flag, value in (("--kubeconfig", args.kubeconfig), ("--kube-context", args.context)):
        if value:
            options += [flag, value]
    return run_pytest([*options, *args.passthrough])


def _failures(path: Path, node: str, returncode: int) -> list[str]:
    """Why the node may not be admitted: each failed or uninspectable check, or why there is no verdict."""
    if not path.exists():
        return [f"the suite gave no results (exit status {returncode}): see its output above"]
    try:
        summary = read_summary(path)
    except UsageError as err:
        return [f"the suite's results cannot be read: {err}"]
    if summary.run.interrupted:
        return [f"the run was interrupted (exit status {returncode}): its partial results are no verdict"]
    results = summary.results
    failing = [f"{r.check} on {r.node}: {r.outcome}: {r.message.splitlines()[0] if r.message else ''}"
               for r in results if r.outcome in ("failed", "broken")]
    if not any(r.node == node and r.outcome == "passed" for r in results):
        failing.append(f"no check passed on {node} itself (was it found as a GPU node?)")
    if returncode != 0 and not failing:
        failing.append(f"the suite exited with status {returncode}: see its output above")
    return failing
