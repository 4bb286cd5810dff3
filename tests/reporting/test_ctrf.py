"""The CTRF report: valid against the bundled CTRF schema, one test per (check, node), CTRF's statuses for the suite's
outcomes, and the consequence of another failure labelled with its root."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpu_conformance.facts.cluster_identity import ClusterIdentity
from gpu_conformance.reporting.ctrf import ctrf_report, write_ctrf
from gpu_conformance.reporting.results import Result
from gpu_conformance.reporting.summary import RunInfo, Summary
from tests.reporting.ctrf_schema import ctrf_failing, ctrf_problems

pytestmark = pytest.mark.unit

CLUSTER = ClusterIdentity("prod-a", "https://10.0.0.1:6443", ("/home/me/.kube/config",), "prod-a", "prod-a-cluster")
RESULTS = (Result("PRE-DRIVER", "gpu-1", "passed", "found 535.104.05 at NVML", 0.5),
           Result("PLUGIN-POD-READY", "gpu-1", "failed", "[PLUGIN-POD-READY] found CrashLoopBackOff ...", 1.0),
           Result("WORKLOAD-VECTORADD", "gpu-1", "failed", "[WORKLOAD-VECTORADD] found Pending ...", 3.25,
                  caused_by=("PLUGIN-POD-READY",)),
           Result("PLUGIN-DEPLOYED", "cluster", "broken", "could not inspect: 403", 0.0),
           Result("SEC-ENV-NO-GPU", "gpu-1", "skipped", "deselected", 0.0, level="hardening"))
SUMMARY = Summary(RunInfo(CLUSTER, "gpu-conformance"), RESULTS)
TITLES = {"PRE-DRIVER": "NVIDIA driver >= 384.81"}


def test_the_report_is_valid_ctrf() -> None:
    assert ctrf_problems(ctrf_report(SUMMARY, TITLES, 1_700_000_000.0, 1_700_000_012.5)) == []


def test_an_invalid_report_is_caught() -> None:
    report = ctrf_report(SUMMARY, TITLES, 1.0, 2.0)
    report["results"]["tests"][0]["status"] = "broken"
    assert ctrf_problems(report) == ["results/tests/0/status: 'broken' is not one of ['passed', 'failed', 'skipped', "
                                     "'pending', 'other']"]


def test_each_result_is_a_test_with_ctrf_s_status() -> None:
    report = ctrf_report(SUMMARY, TITLES, 1_700_000_000.0, 1_700_000_012.5)
    tests = {t["name"]: t for t in report["results"]["tests"]}
    assert {name: (t["status"], t["rawStatus"]) for name, t in tests.items()} == {
        "PRE-DRIVER on gpu-1": ("passed", "passed"), "PLUGIN-POD-READY on gpu-1": ("failed", "failed"),
        "WORKLOAD-VECTORADD on gpu-1": ("failed", "failed"), "PLUGIN-DEPLOYED (cluster)": ("other", "broken"),
        "SEC-ENV-NO-GPU on gpu-1": ("skipped", "skipped")}
    vectoradd = tests["WORKLOAD-VECTORADD on gpu-1"]
    assert vectoradd["labels"] == {"check": "WORKLOAD-VECTORADD", "node": "gpu-1", "level": "tutorial",
                                   "caused_by": ["PLUGIN-POD-READY"]}
    assert (vectoradd["duration"], vectoradd["suite"], vectoradd["message"]) == (
        3250, ["gpu-conformance", "workload"], "[WORKLOAD-VECTORADD] found Pending ...")
    assert tests["PRE-DRIVER on gpu-1"]["extra"] == {"title": "NVIDIA driver >= 384.81"}
    summary = report["results"]["summary"]
    assert (summary["tests"], summary["passed"], summary["failed"], summary["skipped"], summary["other"]) == \
        (5, 1, 2, 1, 1)
    assert (summary["start"], summary["stop"], summary["duration"]) == (1_700_000_000_000, 1_700_000_012_500, 12_500)


def test_the_environment_names_the_cluster_not_its_credentials(tmp_path: Path) -> None:
    write_ctrf(tmp_path / "ctrf-report.json", SUMMARY, TITLES, 1.0, 2.0)
    text = (tmp_path / "ctrf-report.json").read_text()
    environment = json.loads(text)["results"]["environment"]
    assert (environment["testEnvironment"], environment["extra"]["server"]) == ("prod-a", "https://10.0.0.1:6443")
    assert "kube/config" not in text
    assert ctrf_failing(tmp_path) == {("PLUGIN-POD-READY", "gpu-1"), ("WORKLOAD-VECTORADD", "gpu-1"),
                                      ("PLUGIN-DEPLOYED", "cluster")}
