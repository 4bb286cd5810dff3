"""The terminal table: checks as rows with counts per outcome, the failing nodes named, root causes first;
readable at 3 nodes and at 1000."""

from __future__ import annotations

from gpu_conformance.checks import CHECKS
from gpu_conformance.reporting.results import CLUSTER, Outcome, Result, checks_table
from gpu_conformance.reporting.root_causes import attribute
from gpu_conformance.settings import resolve

TITLES = {c.id: c.title_for(resolve({"min_driver": "535.0"})) for c in CHECKS}
DEPENDS_ON = {c.id: c.depends_on for c in CHECKS}


def run(nodes: list[str], failing: dict[str, set[str]]) -> list[Result]:
    """Every check on every node (cluster-wide checks once), failing where ``failing`` says."""
    results = []
    for check in CHECKS:
        cluster_wide = check.id in ("PRE-K8S-VERSION", "PLUGIN-DEPLOYED", "PLUGIN-DAEMONSET-READY",
                                    "CAPACITY-GPU-NODES") or check.area in ("monitoring", "alert-rules")
        for node in [CLUSTER] if cluster_wide else nodes:
            bad = node in failing.get(check.id, set()) or (node == CLUSTER and check.id in failing)
            outcome: Outcome = "failed" if bad else "passed"
            results.append(Result(check.id, node, outcome, "", 0.0))
    return attribute(results, DEPENDS_ON)


def test_three_nodes_root_cause_first_with_its_consequences_marked() -> None:
    lines = checks_table(run(["gpu-1", "gpu-2", "gpu-3"], {"PRE-RUNTIME-DEFAULT": {"gpu-2"},
                                                          "PLUGIN-POD-READY": {"gpu-2"},
                                                          "WORKLOAD-VECTORADD": {"gpu-2"}}), TITLES).splitlines()
    assert lines[0].split() == ["check", "level", "ok", "FAIL", "ERR", "skip", "not", "passing"]
    assert lines[1].startswith("PRE-RUNTIME-DEFAULT") and lines[1].endswith("gpu-2 (root cause)")
    assert lines[1].split()[-7:-3] == ["2", "1", "0", "0"]
    assert lines[2].startswith("PLUGIN-POD-READY") and lines[2].endswith("gpu-2 (consequence of PRE-RUNTIME-DEFAULT)")
    assert lines[3].startswith("WORKLOAD-VECTORADD") and "consequence of PRE-RUNTIME-DEFAULT" in lines[3]
    assert "NVIDIA driver >= 535.0" in next(line for line in lines if line.startswith("PRE-DRIVER "))
    assert len(lines) == 1 + len(CHECKS)


def test_a_thousand_nodes_with_three_failing_fit_in_forty_lines() -> None:
    nodes = [f"gpu-{i:04d}" for i in range(1000)]
    table = checks_table(run(nodes, {"PRE-DRIVER": {"gpu-0007", "gpu-0500", "gpu-0999"},
                                     "MON-EXPORTER-GPUS": {"gpu-0500"}}), TITLES)
    lines = table.splitlines()
    assert len(lines) == 1 + len(CHECKS) and max(len(line) for line in lines) <= 160  # a line per check, not per node
    assert lines[1].startswith("PRE-DRIVER") and "  997     3     0     0  " in lines[1]
    assert lines[1].endswith("gpu-0007, gpu-0500, gpu-0999 (root cause)")


def test_many_failing_nodes_are_counted_not_listed() -> None:
    nodes = [f"gpu-{i}" for i in range(10)]
    line = checks_table(run(nodes, {"PRE-DRIVER": set(nodes)}), TITLES).splitlines()[1]
    assert line.endswith("gpu-0, gpu-1, gpu-2 and 7 more (root cause)")
