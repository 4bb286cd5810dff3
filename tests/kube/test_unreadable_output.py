"""A log that could not be read is never judged as the workload's output: the probe's facts and vectoradd's
"Test PASSED" are looked for only in a log that was read; otherwise the node could not be inspected."""

from __future__ import annotations

import pytest
from gpusim.testing import StartCluster

from gpu_conformance.facts.unavailable import FactsUnavailable
from gpu_conformance.kube import follow_pods, probe_pods
from gpu_conformance.kube.cluster import gpu_nodes
from gpu_conformance.kube.logs import ContainerLog
from gpu_conformance.kube.probe_pods import run_probes
from gpu_conformance.kube.run import RunContext
from gpu_conformance.kube.workload import run_vectoradd

from .conftest import Connect

pytestmark = pytest.mark.e2e

WHY = "reading the log of pod x: the API server answered 429 to GET /x/log 9 times over 60 s"


@pytest.fixture
def logs_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(*args: object, **kwargs: object) -> ContainerLog:
        return ContainerLog("(log unavailable: 429 Too Many Requests)", WHY)

    monkeypatch.setattr(follow_pods.logs, "read_container_log", unreadable)


@pytest.mark.usefixtures("logs_unreadable")
def test_a_probe_whose_output_was_not_read_has_no_facts(start_cluster: StartCluster, connect_to: Connect,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Its termination message cut short (or not written: the facts did not fit), its log is the output."""

    def cut(message: str) -> str:
        raise ValueError("the termination message is no zlib+base64 JSON")

    monkeypatch.setattr(probe_pods, "decode", cut)
    conn, settings = connect_to(start_cluster("seed"))
    outcomes = run_probes(conn, settings, gpu_nodes(conn, settings), RunContext())
    assert {(o.probe, o.error) for o in outcomes.values()} == {
        (None, f"the probe ran, but its output could not be read: {WHY}")}


@pytest.mark.usefixtures("logs_unreadable")
def test_a_vectoradd_whose_log_was_not_read_is_not_judged(start_cluster: StartCluster, connect_to: Connect) -> None:
    conn, settings = connect_to(start_cluster("seed"))
    outcomes = run_vectoradd(conn, settings, gpu_nodes(conn, settings), RunContext())
    assert all(isinstance(o, FactsUnavailable) for o in outcomes.values())
    assert all(str(o).endswith(f"exited 0, but whether it printed 'Test PASSED' is unknown: {WHY}")
               for o in outcomes.values())
