"""Root causes and consequences: which failure to fix first, decided from the catalogue's depends_on."""

from __future__ import annotations

import random

from gpu_conformance.checks import CHECKS
from gpu_conformance.reporting.results import Outcome, Result
from gpu_conformance.reporting.root_causes import attribute, root_causes

DEPENDS_ON = {c.id: c.depends_on for c in CHECKS}


def result(check: str, node: str, outcome: Outcome = "failed") -> Result:
    return Result(check, node, outcome, "", 0.0)


def caused_by(results: list[Result]) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(r.check, r.node): r.caused_by for r in attribute(results, DEPENDS_ON) if r.outcome != "passed"}


def test_runc_as_the_default_runtime_is_the_root_of_four_failures() -> None:
    """The issue's case: containerd's default is runc on gpu-2; the plugin, the DaemonSet, the capacity and the
    workload fail because of it, and only PRE-RUNTIME-DEFAULT is to be fixed."""
    results = [result("PRE-TOOLKIT", "gpu-2", "passed"), result("PRE-RUNTIME-DEFAULT", "gpu-2"),
               result("PLUGIN-DEPLOYED", "cluster", "passed"), result("PLUGIN-POD-READY", "gpu-2"),
               result("PLUGIN-DAEMONSET-READY", "cluster"), result("CAPACITY-ADVERTISED", "gpu-2"),
               result("WORKLOAD-VECTORADD", "gpu-2"), result("PRE-DRIVER", "gpu-1", "passed")]
    expected = {("PRE-RUNTIME-DEFAULT", "gpu-2"): (), ("PLUGIN-POD-READY", "gpu-2"): ("PRE-RUNTIME-DEFAULT",),
                ("PLUGIN-DAEMONSET-READY", "cluster"): ("PRE-RUNTIME-DEFAULT",),
                ("CAPACITY-ADVERTISED", "gpu-2"): ("PRE-RUNTIME-DEFAULT",),
                ("WORKLOAD-VECTORADD", "gpu-2"): ("PRE-RUNTIME-DEFAULT",)}
    assert caused_by(results) == expected
    for _ in range(5):  # pytest-randomly's order gives the same answer
        assert caused_by(random.sample(results, len(results))) == expected
    [(cause, consequences)] = root_causes(attribute(results, DEPENDS_ON))
    assert (cause.check, cause.node) == ("PRE-RUNTIME-DEFAULT", "gpu-2")
    assert sorted((c.check, c.node) for c in consequences) == [
        ("CAPACITY-ADVERTISED", "gpu-2"), ("PLUGIN-DAEMONSET-READY", "cluster"), ("PLUGIN-POD-READY", "gpu-2"),
        ("WORKLOAD-VECTORADD", "gpu-2")]


def test_a_failure_on_another_node_explains_nothing_here() -> None:
    results = [result("PRE-DRIVER", "gpu-1"), result("WORKLOAD-VECTORADD", "gpu-2")]
    assert caused_by(results) == {("PRE-DRIVER", "gpu-1"): (), ("WORKLOAD-VECTORADD", "gpu-2"): ()}


def test_a_cluster_wide_failure_explains_the_nodes_failures() -> None:
    results = [result("PRE-K8S-VERSION", "cluster"), result("PLUGIN-DEPLOYED", "cluster"),
               result("PLUGIN-POD-READY", "gpu-1"), result("PLUGIN-POD-READY", "gpu-2")]
    assert caused_by(results) == {
        ("PRE-K8S-VERSION", "cluster"): (), ("PLUGIN-DEPLOYED", "cluster"): ("PRE-K8S-VERSION",),
        ("PLUGIN-POD-READY", "gpu-1"): ("PRE-K8S-VERSION",), ("PLUGIN-POD-READY", "gpu-2"): ("PRE-K8S-VERSION",)}


def test_a_dependency_that_passed_breaks_the_chain() -> None:
    """PRE-DRIVER failed, yet CAPACITY-ADVERTISED passed: a failing CAPACITY-MATCHES-GPUS has its own reason."""
    results = [result("PRE-DRIVER", "gpu-1"), result("PLUGIN-POD-READY", "gpu-1", "passed"),
               result("CAPACITY-ADVERTISED", "gpu-1", "passed"), result("CAPACITY-MATCHES-GPUS", "gpu-1")]
    assert caused_by(results)[("CAPACITY-MATCHES-GPUS", "gpu-1")] == ()


def test_several_roots_are_named_in_the_catalogues_order() -> None:
    results = [result("PRE-RUNTIME-DEFAULT", "gpu-1"), result("PRE-DRIVER", "gpu-1", "broken"),
               result("WORKLOAD-VECTORADD", "gpu-1")]
    assert caused_by(results)[("WORKLOAD-VECTORADD", "gpu-1")] == ("PRE-DRIVER", "PRE-RUNTIME-DEFAULT")
