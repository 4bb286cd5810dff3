"""The terminal matrix: nodes by checks in the catalogue's order, and a legend titled with the run's thresholds."""

from __future__ import annotations

from gpu_conformance.checks import CHECKS
from gpu_conformance.reporting.results import Result, matrix
from gpu_conformance.settings import resolve


def test_rows_are_nodes_columns_checks_and_the_legend_carries_the_thresholds() -> None:
    settings = resolve({"min_driver": "535.0"})
    results = [Result("WORKLOAD-VECTORADD", "gpu-1", "failed", "", 1.0), Result("PRE-DRIVER", "gpu-1", "passed", "", 0),
               Result("PLUGIN-DEPLOYED", "cluster", "broken", "", 0)]
    lines = matrix(results, {c.id: c.title_for(settings) for c in CHECKS}).splitlines()
    assert lines[1:3] == ["cluster     -   ERR     -", "gpu-1      ok     -  FAIL"]
    assert lines[4:] == ["   1 PRE-DRIVER          NVIDIA driver >= 535.0",
                         "   2 PLUGIN-DEPLOYED     NVIDIA device plugin DaemonSet deployed",
                         "   3 WORKLOAD-VECTORADD  vectoradd pod gets a GPU and passes"]
