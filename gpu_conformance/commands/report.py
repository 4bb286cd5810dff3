"""``gpu-conformance report``: render a run's Allure results as one self-contained HTML file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..reporting.html_report import DEFAULT_HISTORY, DEFAULT_OUTPUT, DEFAULT_RESULTS, HISTORY_LIMIT, render_report


def register(commands: Any) -> None:
    parser = commands.add_parser(
        "report", help="render the suite's Allure results as a single-file HTML report (Allure 3)",
        description="Render the Allure results of a conformance run (pytest conformance --alluredir DIR) as one "
                    "self-contained index.html with Allure 3, keeping a history file so later reports show "
                    "trends. Allure 3 needs Node.js >= 20; it is npm-installed into a cache on first use unless "
                    "--allure or GPU_CONFORMANCE_ALLURE names an installed one.",
    )
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS, metavar="DIR",
                        help=f"the suite's Allure results (default: {DEFAULT_RESULTS})")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, metavar="DIR",
                        help=f"where index.html goes (default: {DEFAULT_OUTPUT})")
    parser.add_argument("--history", type=Path, default=DEFAULT_HISTORY, metavar="FILE",
                        help=f"history kept across runs, the last {HISTORY_LIMIT} (default: {DEFAULT_HISTORY})")
    parser.add_argument("--name", metavar="TEXT",
                        help="the report's title (default: GPU conformance: <kubeconfig context of the run>)")
    parser.add_argument("--allure", metavar="PATH",
                        help="an installed Allure 3 binary (default: $GPU_CONFORMANCE_ALLURE, else one "
                             "npm-installed into ~/.cache/gpu-conformance on first use)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print(render_report(args.results, args.output, args.history, args.name, args.allure), flush=True)
    return 0
