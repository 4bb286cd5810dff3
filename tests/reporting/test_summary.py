"""summary.json's one writer and one reader: what a run wrote is what the gate reads, and a file that is not
a summary is one line naming the file and what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gpu_conformance.commands.gate_verdict import gate_verdict
from gpu_conformance.errors import UsageError
from gpu_conformance.facts.cluster_identity import ClusterIdentity
from gpu_conformance.reporting.results import Result
from gpu_conformance.reporting.summary import SCHEMA, RunInfo, Summary, read_summary, write_summary

CLUSTER = ClusterIdentity("prod-a", "https://10.0.0.1:6443", ("/home/me/.kube/config",), "prod-a", "prod-a-cluster")
RESULTS = (Result("PRE-DRIVER", "gpu-1", "passed", "found 535.104.05 at NVML", 0.5),
           Result("WORKLOAD-VECTORADD", "gpu-1", "failed", "[WORKLOAD-VECTORADD] found ...\nsecond line", 3.25),
           Result("PLUGIN-DEPLOYED", "cluster", "broken", "could not inspect: 403", 0.0),
           Result("MON-PROM-TARGETS", "gpu-1", "skipped", "no --prometheus-config given", 0.0))


def _failures(path: Path, node: str, returncode: int) -> list[str]:
    """What keeps the gate from admitting ``node``."""
    return list(gate_verdict(path, node, returncode).blocking)


def written(tmp_path: Path, results: tuple[Result, ...] = RESULTS) -> Path:
    path = tmp_path / "summary.json"
    write_summary(path, Summary(RunInfo(CLUSTER, "gpu-conformance"), results))
    return path


def test_what_is_written_is_what_is_read(tmp_path: Path) -> None:
    summary = read_summary(written(tmp_path))
    assert summary.run == RunInfo(CLUSTER, "gpu-conformance")
    assert sorted(summary.results, key=lambda r: r.check) == sorted(RESULTS, key=lambda r: r.check)
    body = json.loads((tmp_path / "summary.json").read_text())
    assert body["schema"] == SCHEMA and body["totals"] == {"passed": 1, "failed": 1, "broken": 1, "skipped": 1}


def test_root_causes_are_listed_with_their_consequences(tmp_path: Path) -> None:
    results = (Result("PRE-RUNTIME-DEFAULT", "gpu-2", "failed", "runc", 0.1),
               Result("PLUGIN-POD-READY", "gpu-2", "failed", "not Ready", 0.1, ("PRE-RUNTIME-DEFAULT",)),
               Result("PRE-DRIVER", "gpu-1", "passed", "", 0.1))
    path = written(tmp_path, results)
    assert json.loads(path.read_text())["root_causes"] == [
        {"check": "PRE-RUNTIME-DEFAULT", "node": "gpu-2",
         "consequences": [{"check": "PLUGIN-POD-READY", "node": "gpu-2"}]}]
    assert {r.check: r.caused_by for r in read_summary(path).results} == {
        "PRE-RUNTIME-DEFAULT": (), "PLUGIN-POD-READY": ("PRE-RUNTIME-DEFAULT",), "PRE-DRIVER": ()}


@pytest.mark.parametrize(("text", "problem"), [
    ("{", "not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
    ('{"schema": 2}', "not a gpu-conformance summary: schema 2, expected 1"),
    ('{"schema": 1, "run": {"namespace": "x"}, "results": []}', "not a gpu-conformance summary: missing 'cluster'"),
    ('[1, 2]', "not a gpu-conformance summary: 'list' object has no attribute 'get'"),
])
def test_a_file_that_is_no_summary_is_one_line_naming_it(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "summary.json"
    path.write_text(text)
    with pytest.raises(UsageError) as raised:
        read_summary(path)
    assert str(raised.value) == f"{path}: {problem}"


def test_an_unknown_outcome_is_named(tmp_path: Path) -> None:
    path = written(tmp_path)
    path.write_text(path.read_text().replace('"outcome": "broken"', '"outcome": "exploded"'))
    with pytest.raises(UsageError, match=r"summary.json: not a gpu-conformance summary: outcome 'exploded' is none "
                                         r"of passed, failed, broken, skipped$"):
        read_summary(path)


def test_the_gate_reads_the_typed_summary(tmp_path: Path) -> None:
    assert _failures(written(tmp_path), "gpu-1", 1) == [  # by node, then check: as summary.json lists them
        "PLUGIN-DEPLOYED on cluster: broken: could not inspect: 403",
        "WORKLOAD-VECTORADD on gpu-1: failed: [WORKLOAD-VECTORADD] found ..."]


def test_the_gate_names_root_causes_first(tmp_path: Path) -> None:
    results = (Result("WORKLOAD-VECTORADD", "gpu-1", "failed", "[WORKLOAD-VECTORADD] found ...", 1.0,
                      ("PRE-RUNTIME-DEFAULT",)),
               Result("PRE-RUNTIME-DEFAULT", "gpu-1", "failed", "[PRE-RUNTIME-DEFAULT] found runc ...", 0.1),
               Result("PRE-DRIVER", "gpu-1", "passed", "", 0.1))
    assert _failures(written(tmp_path, results), "gpu-1", 1) == [
        "PRE-RUNTIME-DEFAULT on gpu-1: failed: [PRE-RUNTIME-DEFAULT] found runc ...",
        "WORKLOAD-VECTORADD on gpu-1: failed as a consequence of PRE-RUNTIME-DEFAULT"]


def test_an_interrupted_run_is_said_and_is_no_verdict_for_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    passed = (Result("PRE-DRIVER", "gpu-1", "passed", "", 0.1),)
    write_summary(path, Summary(RunInfo(CLUSTER, "gpu-conformance", interrupted=True), passed))
    assert read_summary(path).run.interrupted
    (line,) = _failures(path, "gpu-1", 2)
    assert line == "the run was interrupted (exit status 2): its partial results are no verdict"


def test_the_gate_says_why_it_has_no_verdict(tmp_path: Path) -> None:
    missing = tmp_path / "summary.json"
    assert _failures(missing, "gpu-1", 4) == ["the suite gave no results (exit status 4): see its output above"]
    missing.write_text("{")
    (line,) = _failures(missing, "gpu-1", 1)
    assert line.startswith(f"the suite's results cannot be read: {missing}: not JSON: ")
