"""``gpu-conformance run``, the image's command: results in one directory, pytest's exit status, SIGTERM cleans up."""

from __future__ import annotations

import fcntl
import json
import signal
from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from gpu_conformance.commands.run import LOCK
from tests.deploy.run_support import run, run_command
from tests.suite.suite_runner import managed_objects, sigterm_once_jobs_exist

pytestmark = pytest.mark.e2e


def test_a_failing_run_keeps_its_results_and_report_and_pytests_status(start_cluster: StartCluster,
                                                                       tmp_path: Path) -> None:
    cluster = start_cluster("plugin-missing")
    done = run(tmp_path / "reports", "--kubeconfig", str(cluster.kubeconfig), "-m", "not workload", report=True)
    reports = tmp_path / "reports"
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"HTML report: {reports / 'html' / 'index.html'}" in done.stdout.splitlines()
    assert (reports / "junit.xml").is_file() and (reports / "history.jsonl").is_file()
    assert any((reports / "allure-results").glob("*-result.json"))
    failed = {r["check"] for r in json.loads((reports / "summary.json").read_text())["results"]
              if r["outcome"] == "failed"}
    assert "PLUGIN-DEPLOYED" in failed


def test_a_run_that_could_not_start_renders_no_report(tmp_path: Path) -> None:
    done = run(tmp_path, "--kubeconfig", str(tmp_path / "missing"), report=True)
    assert done.returncode == 4
    assert done.stderr.strip().splitlines()[-1] == (
        "gpu-conformance run: no HTML report: pytest exited 4 before the checks ran to an end")


def test_two_runs_never_share_a_results_directory(tmp_path: Path) -> None:
    with (tmp_path / LOCK).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        done = run(tmp_path, "--kubeconfig", str(tmp_path / "missing"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == (
        f"gpu-conformance run: --results-dir {tmp_path}: another run is using it (it holds {tmp_path / LOCK}); "
        "runs never overlap, start this one when it has ended")


def test_sigterm_reaches_pytest_which_cleans_up(start_cluster: StartCluster, tmp_path: Path) -> None:
    """As a container's PID 1 the command gets the kubelet's SIGTERM; pytest must get it and clean up."""
    cluster = start_cluster("plugin-crashloop")  # its unschedulable vectoradd keeps the run busy for seconds
    returncode, output = sigterm_once_jobs_exist(
        run_command(tmp_path, "--kubeconfig", str(cluster.kubeconfig), "--gpu-node-selector", "gpu-node=true"),
        cluster)
    assert returncode == 128 + signal.SIGTERM, output  # pytest got it, cleaned up and ended; then the command
    assert managed_objects(cluster) == [], output
