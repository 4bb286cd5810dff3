"""The results as an exposition: the values each result gives, read back with prometheus_client's parser and
linted by the real promtool; and the textfile written for node_exporter."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gpu_conformance.errors import UsageError
from gpu_conformance.reporting.metrics import PublishError, RunFacts, render, textfile_path, write_textfile
from gpu_conformance.reporting.results import Result
from tests.monitoring.promtool_support import real_promtool

pytestmark = pytest.mark.e2e

RUN = RunFacts("prod", started=1_700_000_000.0, finished=1_700_000_042.5)
RESULTS = [
    Result("PRE-DRIVER", "k8s-node05", "passed", "", 0.25),
    Result("PRE-RUNTIME-DEFAULT", "k8s-node06", "failed", "runc is the default", 1.5),
    Result("PLUGIN-DEPLOYED", "cluster", "passed", "", 0.125),
    Result("MON-EXPORTER-UP", "k8s-node07", "broken", "could not inspect: probe pod unschedulable", 5.0),
    Result("MON-PROM-TARGETS", "cluster", "skipped", "no --prometheus-config given", 0.0),
]
Series = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parsed(text: str) -> tuple[Series, dict[str, str]]:
    """Every sample as (name, labels) -> value, and each family's HELP."""
    series: Series = {}
    helps = {}
    for family in text_string_to_metric_families(text):
        helps[family.name] = family.documentation
        for sample in family.samples:
            series[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return series, helps


def key(name: str, **labels: str) -> tuple[str, frozenset[tuple[str, str]]]:
    level = {"level": "tutorial"} if "check" in labels else {}  # the checks of RESULTS are the tutorial's
    return name, frozenset({"cluster": "prod", **level, **labels}.items())


def test_each_result_gives_its_success_status_and_duration() -> None:
    series, _ = parsed(render(RESULTS, RUN))
    assert series[key("gpu_conformance_check_success", check="PRE-DRIVER", node="k8s-node05")] == 1
    assert series[key("gpu_conformance_check_success", check="PRE-RUNTIME-DEFAULT", node="k8s-node06")] == 0
    assert series[key("gpu_conformance_check_success", check="PLUGIN-DEPLOYED", node="cluster")] == 1
    assert series[key("gpu_conformance_check_success", check="MON-EXPORTER-UP", node="k8s-node07")] == 0
    assert series[key("gpu_conformance_check_duration_seconds", check="PRE-RUNTIME-DEFAULT", node="k8s-node06")] == 1.5
    statuses = {status: series[key("gpu_conformance_check_status", check="MON-EXPORTER-UP", node="k8s-node07",
                                   status=status)] for status in ("passed", "failed", "could_not_inspect")}
    assert statuses == {"passed": 0, "failed": 0, "could_not_inspect": 1}
    failed = key("gpu_conformance_check_status", check="PRE-RUNTIME-DEFAULT", node="k8s-node06", status="failed")
    assert series[failed] == 1


def test_a_failure_says_whether_it_is_a_root_cause_or_a_consequence() -> None:
    consequence = Result("WORKLOAD-VECTORADD", "k8s-node06", "failed", "", 2.0, caused_by=("PRE-RUNTIME-DEFAULT",))
    series, _ = parsed(render([*RESULTS, consequence], RUN))
    root_cause = {node_check: series.get(key("gpu_conformance_check_root_cause", check=node_check[1],
                                             node=node_check[0]))
                  for node_check in (("k8s-node06", "PRE-RUNTIME-DEFAULT"), ("k8s-node06", "WORKLOAD-VECTORADD"),
                                     ("k8s-node07", "MON-EXPORTER-UP"), ("k8s-node05", "PRE-DRIVER"))}
    assert root_cause == {("k8s-node06", "PRE-RUNTIME-DEFAULT"): 1, ("k8s-node06", "WORKLOAD-VECTORADD"): 0,
                          ("k8s-node07", "MON-EXPORTER-UP"): 1, ("k8s-node05", "PRE-DRIVER"): None}


def test_skipped_checks_have_no_series_but_are_counted() -> None:
    series, _ = parsed(render(RESULTS, RUN))
    assert not [k for k in series if ("check", "MON-PROM-TARGETS") in k[1]]
    counts = {outcome: series[key("gpu_conformance_results", outcome=outcome)]
              for outcome in ("passed", "failed", "could_not_inspect", "skipped")}
    assert counts == {"passed": 2, "failed": 1, "could_not_inspect": 1, "skipped": 1}


def test_the_run_gives_its_end_time_and_duration() -> None:
    series, helps = parsed(render(RESULTS, RUN))
    assert series[key("gpu_conformance_last_run_timestamp_seconds")] == 1_700_000_042.5
    assert series[key("gpu_conformance_run_duration_seconds")] == 42.5
    assert "finished" in helps["gpu_conformance_last_run_timestamp_seconds"]
    assert "could not be inspected" in helps["gpu_conformance_check_success"]


def test_a_check_reported_twice_counts_as_the_worse() -> None:
    """A pass, then an error tearing down its fixtures: the check could not be inspected after all."""
    twice = [Result("PRE-DRIVER", "k8s-node05", "passed", "", 0.5),
             Result("PRE-DRIVER", "k8s-node05", "broken", "teardown failed", 0.1)]
    series, _ = parsed(render(twice, RUN))
    assert series[key("gpu_conformance_check_success", check="PRE-DRIVER", node="k8s-node05")] == 0
    assert series[key("gpu_conformance_results", outcome="could_not_inspect")] == 1
    assert series[key("gpu_conformance_results", outcome="passed")] == 0


def test_promtool_finds_nothing_to_lint() -> None:
    promtool = real_promtool()
    done = subprocess.run([promtool.binary, "check", "metrics"], input=render(RESULTS, RUN), capture_output=True,
                          text=True, timeout=30, check=False)
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_promtool_lint_can_fail() -> None:
    """The lint above is a real check: a counter without _total is reported."""
    promtool = real_promtool()
    bad = "# HELP x_seconds a counter\n# TYPE x_seconds counter\nx_seconds 1\n"
    done = subprocess.run([promtool.binary, "check", "metrics"], input=bad, capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode != 0 and "counter metrics should have \"_total\" suffix" in done.stdout + done.stderr


def test_the_textfile_replaces_the_last_one_whole(tmp_path: Path) -> None:
    path = tmp_path / "gpu-conformance.prom"
    path.write_text("# the last run's\n")
    before = path.stat().st_ino
    write_textfile(path, render(RESULTS, RUN))
    assert path.stat().st_ino != before  # a new file renamed over the old one, never rewritten in place
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # node_exporter runs as another user
    assert os.listdir(tmp_path) == ["gpu-conformance.prom"]  # no temporary file left behind
    series, _ = parsed(path.read_text())
    assert series[key("gpu_conformance_check_success", check="PRE-DRIVER", node="k8s-node05")] == 1


def test_an_unwritable_textfile_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "gpu-conformance.prom"
    with pytest.raises(PublishError) as caught:
        write_textfile(path, "x 1\n")
    assert str(caught.value) == f"cannot write {path}: No such file or directory"


def test_only_prom_files_are_accepted() -> None:
    assert textfile_path("/var/lib/node_exporter/gpu-conformance.prom").name == "gpu-conformance.prom"
    with pytest.raises(UsageError, match=r"^--metrics-file /tmp/gpu.txt: node_exporter's textfile collector reads "
                                         r"only \*\.prom files; name it e\.g\. gpu-conformance\.prom$"):
        textfile_path("/tmp/gpu.txt")
