"""SIGINT, SIGTERM and SIGHUP to `gpu-conformance gate` (and `run`) at each phase: the node stays held back,
nothing of the suite is left in the cluster, no process and no scratch folder outlive the command, and it
exits 128+N. Each phase is hit on purpose: a front API server holds the gate's request for its node (or its
patch) until the signal has been sent, or the suite is caught mid-way with its vectoradd Jobs running."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from gpusim.cluster import SimCluster
from gpusim.testing import eventually, kubectl

from gpu_conformance.reporting.summary import read_summary
from tests.gate.signals_support import (
    BUSY,
    NODE,
    FrontServer,
    children,
    command,
    delivered,
    gone,
    held_back_cluster,
    leaves_nothing,
    node_is_held,
    send,
    start,
    suite_objects,
    wait_for_jobs,
    wait_until,
)

pytestmark = pytest.mark.e2e

SIGNALS = [pytest.param(s, id=s.name) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
QUICK = ("-m", "not workload")  # a suite that passes on the node in seconds and creates nothing


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimCluster]:
    started = held_back_cluster(tmp_path_factory.mktemp("held"))
    yield started
    started.stop()


@pytest.fixture(scope="module")
def front(cluster: SimCluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FrontServer]:
    server = FrontServer(cluster, tmp_path_factory.mktemp("front") / "front.kubeconfig")
    yield server
    server.stop()


def _stopped(code: int, output: str, signum: signal.Signals) -> None:
    assert code == 128 + signum, output[-3000:]
    assert f"gate: {NODE} NOT admitted, nothing changed: interrupted by {signum.name}" in output.splitlines()


@pytest.mark.parametrize("signum", SIGNALS)
def test_while_the_gate_reads_its_node(cluster: SimCluster, front: FrontServer, tmp_path: Path,
                                       signum: signal.Signals) -> None:
    with front.pausing("get", "nodes", NODE) as pause:
        gate = start(command("gate", front.kubeconfig, tmp_path), tmp_path / "tmp")
        wait_until(pause.arrived, gate, "the gate reading its node")
        code, output = send(gate, signum)
    _stopped(code, output, signum)
    assert node_is_held(cluster)
    leaves_nothing(cluster, tmp_path / "tmp")


@pytest.mark.parametrize("signum", SIGNALS)
def test_while_the_suite_runs(cluster: SimCluster, tmp_path: Path, signum: signal.Signals) -> None:
    gate = start(command("gate", cluster.kubeconfig, tmp_path, *BUSY), tmp_path / "tmp")
    wait_for_jobs(cluster, gate)
    suite = children(gate.pid)
    assert len(suite) == 1
    code, output = send(gate, signum)
    _stopped(code, output, signum)
    assert f"KeyboardInterrupt: received {signum.name}" in output  # pytest got it, and cleaned up
    assert gone(suite[0])
    assert node_is_held(cluster)
    leaves_nothing(cluster, tmp_path / "tmp")


@pytest.mark.parametrize("signum", SIGNALS)
def test_after_the_suite_passed_before_the_patch(cluster: SimCluster, front: FrontServer, tmp_path: Path,
                                                 signum: signal.Signals) -> None:
    with front.pausing("get", "nodes", NODE, occurrence=2) as pause:  # the gate reads its node again to admit it
        gate = start(command("gate", front.kubeconfig, tmp_path, *QUICK), tmp_path / "tmp")
        wait_until(pause.arrived, gate, "the gate reading its node again after the suite")
        code, output = send(gate, signum)
    assert " passed" in output and "failed" not in output
    _stopped(code, output, signum)
    assert node_is_held(cluster)
    leaves_nothing(cluster, tmp_path / "tmp")


def test_a_signal_while_the_patch_is_on_its_way_cannot_call_it_back(cluster: SimCluster, front: FrontServer,
                                                                    tmp_path: Path) -> None:
    """What is documented: the patch was sent, so the node is in; the gate says so and exits 128+N."""
    try:
        with front.pausing("patch", "nodes", NODE) as pause:
            gate = start(command("gate", front.kubeconfig, tmp_path, *QUICK), tmp_path / "tmp")
            wait_until(pause.arrived, gate, "the gate's admitting patch")
            os.kill(gate.pid, signal.SIGTERM)
            eventually(lambda: delivered(gate.pid, signal.SIGTERM), what="SIGTERM handled by the gate")
        output, _ = gate.communicate(timeout=60)
        assert gate.returncode == 128 + signal.SIGTERM, output
        assert output.splitlines()[-2:] == [
            f"gate: {NODE} passed every check and is admitted: uncordon, label "
            f"gpu-conformance/validated={output.rsplit('validated=', 1)[1].split()[0]}",
            "gate: SIGTERM came while the admitting patch was on its way; it was applied"]
        assert not node_is_held(cluster)
    finally:
        kubectl(cluster, "cordon", NODE)
        kubectl(cluster, "label", "node", NODE, "gpu-conformance/validated-")


def test_a_gate_killed_outright_takes_its_suite_along_and_the_next_gate_its_scratch_folder(
        cluster: SimCluster, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    gate = start(command("gate", cluster.kubeconfig, tmp_path, *BUSY), scratch)
    wait_for_jobs(cluster, gate)
    suite = children(gate.pid)
    gate.kill()
    output, _ = gate.communicate(timeout=60)  # the suite shares its stdout: this waits for the suite's end too
    assert "KeyboardInterrupt: received SIGTERM" in output  # PR_SET_PDEATHSIG: SIGTERM when the gate died
    assert all(gone(pid) for pid in suite)
    eventually(lambda: suite_objects(cluster) == [], timeout=30, what="the suite's objects deleted")
    assert [p.name.split("-")[2] for p in scratch.iterdir()] == [str(gate.pid)]
    refused = subprocess.run([*command("gate", cluster.kubeconfig, tmp_path)[:4], "k8s-node05", "--kubeconfig",
                              str(cluster.kubeconfig)], capture_output=True, text=True, check=False,
                             env={**os.environ, "TMPDIR": str(scratch)}, timeout=60)
    assert refused.returncode == 2 and "is not held back" in refused.stderr, refused.stderr
    assert list(scratch.iterdir()) == []


def test_a_suite_option_the_suite_refuses_is_the_gates_one_line_usage_error(cluster: SimCluster,
                                                                            tmp_path: Path) -> None:
    done = subprocess.run(command("gate", cluster.kubeconfig, tmp_path, "--no-such-option"), capture_output=True,
                          text=True, check=False, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == [
        "gpu-conformance gate: the suite did not start: unrecognized arguments: --no-such-option"]
    assert node_is_held(cluster)


@pytest.mark.parametrize("signum", SIGNALS)
def test_run_while_the_suite_runs(cluster: SimCluster, tmp_path: Path, signum: signal.Signals) -> None:
    reports = tmp_path / "reports"
    run = start(command("run", cluster.kubeconfig, reports, *BUSY), tmp_path / "tmp")
    wait_for_jobs(cluster, run)
    suite = children(run.pid)
    code, output = send(run, signum)
    assert code == 128 + signum, output[-3000:]
    assert f"gpu-conformance run: interrupted by {signum.name}: the run's results are partial, no report" in output
    assert all(gone(pid) for pid in suite)
    assert read_summary(reports / "summary.json").run.interrupted
    leaves_nothing(cluster, tmp_path / "tmp")
