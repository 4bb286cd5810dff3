"""``gpu-conformance run``: the conformance suite with everything a run leaves in one directory (the image's command).

DIR (``--results-dir``, default ``$GPU_CONFORMANCE_RESULTS_DIR``, else ./reports) receives allure-results/,
junit.xml and summary.json, and with ``--report`` html/index.html and history.jsonl (the trend across
runs): in the cluster DIR is a volume, so a CronJob's results and history outlive its pods. Two runs never
share DIR at once: each holds a lock on DIR/.run.lock. The exit status is pytest's (0 all passed, 1 some
check failed, 2 interrupted, 4 stopped before any check, e.g. a missing permission), report or not; a
SIGINT, SIGTERM or SIGHUP to this command is passed to pytest, which cleans up, and the status is 128+N.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ..errors import UsageError
from ..reporting.html_report import render_report
from ..stop_signals import Stopped, stop_signals
from ..suite import results_options, run_pytest

RESULTS_ENV = "GPU_CONFORMANCE_RESULTS_DIR"
LOCK = ".run.lock"
RENDERED = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)  # runs whose checks all ran to an end


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "run", help="run the conformance suite, keeping its results (and the HTML report) in one directory",
        description="Run `pytest conformance` from the suite's root with Allure results, JUnit XML and "
                    "summary.json in DIR; with --report also render the HTML report there. Exit status: pytest's.",
        usage="gpu-conformance run [--report] [--results-dir DIR] [-- PYTEST_ARGS...]",
        epilog="Pytest's arguments and the suite's options go after --, e.g. -- --kubeconfig K -m 'not workload'",
    )
    parser.add_argument("--report", action="store_true",
                        help="render DIR/html/index.html after the run, with the trend in DIR/history.jsonl; "
                             "a failure to render is one line and leaves the exit status alone")
    parser.add_argument("--results-dir", type=Path, metavar="DIR",
                        help=f"where the run's results go (default: ${RESULTS_ENV}, else ./reports)")
    parser.set_defaults(run=run, takes_passthrough=True)


def run(args: argparse.Namespace) -> int:
    results = (args.results_dir or Path(os.environ.get(RESULTS_ENV) or "reports")).resolve()
    with stop_signals() as signals:
        try:
            with _only_run_in(results):
                code = run_pytest([
                    *results_options(results),
                    "-p", "no:cacheprovider",  # no .pytest_cache: the image's root filesystem is read-only
                    *args.passthrough,
                ], signals).code
                signals.check()  # pytest got our signal, cleaned up and said the run was interrupted
                if args.report:
                    render_after(results, code, "gpu-conformance run")
        except Stopped as stop:
            print(f"gpu-conformance run: {stop}: the run's results are partial, no report", file=sys.stderr)
            return stop.exit_status
    return code


@contextmanager
def _only_run_in(results: Path) -> Iterator[None]:
    """Hold DIR/.run.lock for the run: a second run (a manual Job beside the CronJob's) refuses to start."""
    try:
        results.mkdir(parents=True, exist_ok=True)
        lock = (results / LOCK).open("a")
    except OSError as err:
        raise UsageError(f"--results-dir {results}: {err.strerror or err}") from err
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"--results-dir {results}: another run is using it (it holds {results / LOCK}); "
                             "runs never overlap, start this one when it has ended") from None
        yield


def render_after(results: Path, code: int, who: str, name: str | None = None) -> None:
    """Render DIR/html/index.html after a run and print its path; a failure to render is one line on stderr,
    and the run's verdict (its exit status) stands either way."""
    if code not in RENDERED:
        print(f"{who}: no HTML report: pytest exited {code} before the checks ran to an end", file=sys.stderr)
        return
    try:
        index = render_report(results / "allure-results", results / "html", results / "history.jsonl", name)
    except UsageError as err:
        print(f"{who}: no HTML report: {err}", file=sys.stderr)
        return
    print(f"HTML report: {index}", flush=True)
