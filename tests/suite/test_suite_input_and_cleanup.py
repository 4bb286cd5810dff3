"""Bad input is one line and a non-zero exit within seconds; the suite leaves nothing behind, even on SIGTERM."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gpusim.testing import StartCluster
from kubernetes import client, config

from conformance.plugin.reporting import INTERRUPTED_PROPERTY
from gpu_conformance.reporting.summary import read_summary
from tests.suite.suite_runner import ROOT, junit_properties, managed_objects, run_suite, sigterm_once_jobs_exist

pytestmark = pytest.mark.e2e


def suite(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "conformance", "-p", "no:cacheprovider", "-q", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode != 0 and len(lines) == 1, result.stdout + result.stderr
    return lines[0]


def test_missing_kubeconfig(tmp_path: Path) -> None:
    line = one_error_line(suite("--kubeconfig", str(tmp_path / "nope")))
    assert str(tmp_path / "nope") in line and line.startswith("ERROR: ")


def test_xdist_distribution_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    result = suite("--kubeconfig", str(tmp_path / "nope"), "-n", "2")
    line = one_error_line(result)
    assert result.returncode == 4 and line.startswith("ERROR: pytest-xdist's -n/--dist") and "without -n" in line


def test_former_option_names_still_work_and_name_the_new_ones(tmp_path: Path) -> None:
    result = suite("--kubeconfig", str(tmp_path / "nope"), "--node", "gpu-17", "--report-dir", str(tmp_path))
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert result.returncode == 4 and lines == [
        "gpu-conformance: --report-dir is deprecated: use --summary-dir",
        "gpu-conformance: --node is deprecated: use --gpu-node",
        f"ERROR: kubeconfig {tmp_path / 'nope'}: no such file (pass --kubeconfig or set KUBECONFIG)"]


def test_unreachable_cluster_is_one_line_within_seconds(start_cluster: StartCluster) -> None:
    cluster = start_cluster("api-unreachable")
    started = time.monotonic()
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig)))
    assert line == f"ERROR: cannot reach the API server at {cluster.url}: connection refused"
    assert time.monotonic() - started < 10


def test_unknown_context_and_unknown_node(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig), "--kube-context", "prod"))
    assert "prod" in line and "gpu-sim" in line
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig), "--gpu-node", "k8s-node5"))
    assert "k8s-node5" in line and "k8s-node05" in line


def test_unreadable_profile_and_bad_option_value(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    profile = tmp_path / "profile.yaml"
    profile.write_text("min-driver: 535\nmin-drivr: 1\n")
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig), "--conformance-profile", str(profile)))
    assert "min-drivr" in line and str(profile) in line
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig), "--pod-timeout", "soon"))
    assert "timeout" in line and "soon" in line


def test_profile_floor_applies(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    profile = tmp_path / "profile.yaml"
    profile.write_text("min-driver: '550.0'\n")
    run = run_suite(cluster, tmp_path, "--conformance-profile", str(profile), "-m", "node_local")
    assert run.failing() == {("PRE-DRIVER", "k8s-node05"), ("PRE-DRIVER", "k8s-node06")}


def test_read_only_run_creates_nothing(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("seed")
    run = run_suite(cluster, tmp_path, "-m", "not workload")
    assert run.returncode == 0 and run.outcomes
    assert all(not test.startswith(("test_driver", "test_vectoradd")) for test in run.outcomes)
    namespaces = [ns.metadata.name for ns in client.CoreV1Api(config.new_client_from_config(
        str(cluster.kubeconfig), persist_config=False)).list_namespace().items]
    assert "gpu-conformance" not in namespaces and managed_objects(cluster) == []


def test_a_full_run_cleans_up_after_itself(start_cluster: StartCluster, tmp_path: Path) -> None:
    cluster = start_cluster("driver-too-old")
    run = run_suite(cluster, tmp_path)
    assert run.returncode == 1
    assert managed_objects(cluster) == []
    assert junit_properties(next(tmp_path.glob("junit-*.xml"))) == {INTERRUPTED_PROPERTY: "false"}


def test_sigterm_mid_run_still_cleans_up_and_says_the_run_was_interrupted(start_cluster: StartCluster,
                                                                         tmp_path: Path) -> None:
    cluster = start_cluster("plugin-crashloop")  # its unschedulable vectoradd keeps the run busy for seconds
    returncode, output = sigterm_once_jobs_exist(
        [sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(cluster.kubeconfig),
         "-p", "no:cacheprovider", "-q", "--gpu-node-selector", "gpu-node=true", "--summary-dir", str(tmp_path)],
        cluster)
    assert returncode != 0, output
    assert managed_objects(cluster) == [], output
    assert "run interrupted: these results are partial" in output
    assert read_summary(tmp_path / "summary.json").run.interrupted


def test_local_gate_needs_exactly_one_node(start_cluster: StartCluster) -> None:
    cluster = start_cluster("seed")
    line = one_error_line(suite("--kubeconfig", str(cluster.kubeconfig), "--local-probe"))
    assert "--local-probe" in line and "--gpu-node" in line


def test_every_run_ends_with_the_checks_root_causes_first_and_summary_json(start_cluster: StartCluster,
                                                                             tmp_path: Path) -> None:
    """driver-too-old: k8s-node06's driver is the root cause; vectoradd and the image's CUDA follow from it."""
    run = run_suite(start_cluster("driver-too-old"), tmp_path, "-m", "not security")  # seed's leak is not the point
    assert re.search(r"GPU conformance: \d+ checks on \d+ GPU nodes", run.stdout)
    rows = [line for line in run.stdout.splitlines() if line.endswith(")") and "k8s-node06" in line]
    assert [(row.split()[0], row.split("k8s-node06 ")[1]) for row in rows] == [
        ("PRE-DRIVER", "(root cause)"), ("WORKLOAD-VECTORADD", "(consequence of PRE-DRIVER)"),
        ("WORKLOAD-DRIVER-FITS-IMAGE", "(consequence of PRE-DRIVER)")]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["root_causes"] == [{"check": "PRE-DRIVER", "node": "k8s-node06", "consequences": [
        {"check": "WORKLOAD-DRIVER-FITS-IMAGE", "node": "k8s-node06"},
        {"check": "WORKLOAD-VECTORADD", "node": "k8s-node06"}]}]
    failed = {(r["check"], r["node"]) for r in summary["results"] if r["outcome"] == "failed"}
    assert failed == run.failing()
    assert summary["totals"]["failed"] == 3 and summary["totals"]["passed"] > 20
