"""``./dev demo``: start the simulated `seed` cluster (the tutorial's), run the whole conformance suite on it
and render the HTML report (reports/html/index.html, with the history of earlier demo runs).

``./dev demo SCENARIO`` runs it against another bundled scenario, e.g. ``runtime-not-default``, to
see how a broken link of the chain is reported.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from .commands.run import render_after
from .sim.cluster import SimCluster
from .sim.scenario import ScenarioError, load
from .suite import ROOT, results_options, run_pytest

# The tutorial labels its GPU nodes gpu-node=true; a node whose plugin never started is found by it.
SUITE_OPTIONS = ("--gpu-node-selector", "gpu-node=true")
REPORTS = ROOT / "reports"


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
            print("$ pytest conformance --kubeconfig", kubeconfig, *SUITE_OPTIONS, flush=True)
            code = run_pytest(["--kubeconfig", str(kubeconfig), *SUITE_OPTIONS, *results_options(REPORTS),
                               "-p", "no:cacheprovider", "-rfEs", "--no-header"])
    render_after(REPORTS, code, "demo", name=f"GPU conformance: simulated {name!r} cluster")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
