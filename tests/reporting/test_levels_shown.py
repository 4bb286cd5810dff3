"""Each report shows the level of each check: the terminal table's column, summary.json per result (and the run's
--level and admission levels), and the metrics' ``level`` label on every per-check family."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.errors import UsageError
from gpu_conformance.facts.cluster_identity import ClusterIdentity
from gpu_conformance.reporting.metrics import RunFacts, render
from gpu_conformance.reporting.results import Result, checks_table
from gpu_conformance.reporting.summary import RunInfo, Summary, read_summary, write_summary

CLUSTER = ClusterIdentity("prod-a", "https://10.0.0.1:6443")
RESULTS = (Result("PRE-DRIVER", "gpu-1", "passed", "", 0.5, level="tutorial"),
           Result("SEC-POD-ISOLATION", "gpu-1", "failed", "[SEC-POD-ISOLATION] found the same GPU", 1.0,
                  level="hardening"),
           Result("SEC-ENV-NO-GPU", "gpu-1", "broken", "could not inspect: pod unschedulable", 0.1,
                  level="hardening"))
PER_CHECK = ("gpu_conformance_check_success", "gpu_conformance_check_status",
             "gpu_conformance_check_duration_seconds", "gpu_conformance_check_root_cause")


def test_the_table_has_a_level_column() -> None:
    lines = checks_table(RESULTS, {"PRE-DRIVER": "NVIDIA driver", "SEC-POD-ISOLATION": "pods see different GPUs",
                                   "SEC-ENV-NO-GPU": "env gets no GPU"}).splitlines()
    assert lines[0].split()[:2] == ["check", "level"]
    column = lines[0].index("level")
    shown = {line.split()[0]: line[column:].split()[0] for line in lines[1:]}
    assert shown == {"PRE-DRIVER": "tutorial", "SEC-POD-ISOLATION": "hardening", "SEC-ENV-NO-GPU": "hardening"}
    row = next(line for line in lines if line.startswith("SEC-POD-ISOLATION"))
    assert row[column:].split()[:5] == ["hardening", "0", "1", "0", "0"]


def test_summary_json_holds_each_results_level_and_the_runs_levels(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    run = RunInfo(CLUSTER, "gpu-conformance", level="hardening", admission_levels=("tutorial",))
    write_summary(path, Summary(run, RESULTS))
    body = json.loads(path.read_text())
    assert {r["check"]: r["level"] for r in body["results"]} == {
        "PRE-DRIVER": "tutorial", "SEC-POD-ISOLATION": "hardening", "SEC-ENV-NO-GPU": "hardening"}
    assert (body["run"]["level"], body["run"]["admission_levels"]) == ("hardening", ["tutorial"])
    read = read_summary(path)
    assert read.run == run and set(read.results) == set(RESULTS)


def test_a_summary_written_before_levels_reads_as_tutorial_checks_of_every_level(tmp_path: Path) -> None:
    path = tmp_path / "summary.json"
    write_summary(path, Summary(RunInfo(CLUSTER, "gpu-conformance"), RESULTS[:1]))
    body = json.loads(path.read_text())
    del body["run"]["level"], body["run"]["admission_levels"], body["results"][0]["level"]
    path.write_text(json.dumps(body))
    read = read_summary(path)
    assert (read.run.level, read.run.admission_levels) == ("all", ("tutorial", "hardening"))
    assert read.results[0].level == "tutorial"


@pytest.mark.parametrize(("before", "after", "problem"), [
    ('"level": "hardening"', '"level": "extra"', "level of SEC-ENV-NO-GPU 'extra' is none of tutorial, hardening"),
    ('"level": "all"', '"level": "some"', "run.level 'some' is none of tutorial, hardening, all"),
])
def test_an_unknown_level_in_a_summary_is_one_line(tmp_path: Path, before: str, after: str, problem: str) -> None:
    path = tmp_path / "summary.json"
    write_summary(path, Summary(RunInfo(CLUSTER, "gpu-conformance"), RESULTS))
    path.write_text(path.read_text().replace(before, after, 1))
    with pytest.raises(UsageError) as raised:
        read_summary(path)
    assert str(raised.value) == f"{path}: not a gpu-conformance summary: {problem}"


def test_every_per_check_series_carries_the_level() -> None:
    levels: dict[str, set[tuple[str, str]]] = {}
    for family in text_string_to_metric_families(render(RESULTS, RunFacts("prod", 1.0, 2.0))):
        for sample in family.samples:
            if "check" in sample.labels:
                levels.setdefault(family.name, set()).add((sample.labels["check"], sample.labels["level"]))
    assert set(levels) == set(PER_CHECK)
    assert levels["gpu_conformance_check_success"] == {
        ("PRE-DRIVER", "tutorial"), ("SEC-POD-ISOLATION", "hardening"), ("SEC-ENV-NO-GPU", "hardening")}
    assert levels["gpu_conformance_check_root_cause"] == {("SEC-POD-ISOLATION", "hardening"),
                                                          ("SEC-ENV-NO-GPU", "hardening")}
