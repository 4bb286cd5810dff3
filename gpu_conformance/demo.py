"""``./dev demo``: start the simulated `seed` cluster (the tutorial's), run the whole conformance suite on it
and render the HTML report (reports/html/index.html, with the history of earlier demo runs).

``./dev demo SCENARIO`` runs it against another bundled scenario, e.g. ``runtime-not-default``, to
see how a broken link of the chain is reported.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import UsageError
from .reporting.html_report import DEFAULT_HISTORY, DEFAULT_OUTPUT, DEFAULT_RESULTS, render_report
from .sim.cluster import SimCluster
from .sim.scenario import ScenarioError, load

ROOT = Path(__file__).resolve().parent.parent
# The tutorial labels its GPU nodes gpu-node=true; a node whose plugin never started is found by it.
SUITE_OPTIONS = ("--gpu-node-selector", "gpu-node=true")
RESULTS = ROOT / DEFAULT_RESULTS


def main(argv: list[str]) -> int:
    name = argv[0] if argv else "seed"
    try:
        scenario = load(name)
    except ScenarioError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="gpu-demo-") as tmp:
        kubeconfig = Path(tmp) / f"{name}.kubeconfig"
        with SimCluster(scenario, kubeconfig) as cluster:
            print(f"Simulated cluster {name!r} at {cluster.url}: {scenario.description.strip()}\n", flush=True)
            command = [sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(kubeconfig),
                       *SUITE_OPTIONS, "--alluredir", str(RESULTS), "--clean-alluredir",
                       "-p", "no:cacheprovider", "-rfEs", "--no-header"]
            print("$ pytest conformance --kubeconfig", kubeconfig, *SUITE_OPTIONS, "--alluredir", RESULTS, flush=True)
            code = subprocess.run(command, cwd=ROOT, check=False).returncode
    report(name)
    return code


def report(scenario: str) -> None:
    """Render the HTML report; a failure to do so is one line, and the suite's verdict still stands."""
    try:
        index = render_report(RESULTS, ROOT / DEFAULT_OUTPUT, ROOT / DEFAULT_HISTORY,
                              name=f"GPU conformance: simulated {scenario!r} cluster")
    except UsageError as err:
        print(f"demo: no HTML report: {err}", file=sys.stderr)
        return
    print(f"HTML report: {index}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
