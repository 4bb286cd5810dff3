"""The suite when its results cannot be published: one line, a non-zero exit, the results still shown, and
the Pushgateway's password nowhere; options that cannot work stop the run before it starts; an interrupted
run publishes nothing."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from conformance.plugin.reporting import INTERRUPTED_PROPERTY
from gpu_conformance.reporting.pushgateway import Pushgateway
from tests.monitoring.test_prometheus_live import free_loopback_port
from tests.reporting.pushgateway_support import PASSWORD, PASSWORD_IN_URL, USER, pushgateway
from tests.reporting.test_metrics_suite import CONTEXT
from tests.suite.suite_runner import junit_properties, run_suite, sigterm_once_jobs_exist
from tests.suite.test_scenarios import TUTORIAL_SELECTOR

pytestmark = pytest.mark.e2e


def test_an_unreachable_pushgateway_fails_a_passing_run_in_one_line(start_cluster: StartCluster,
                                                                     tmp_path: Path) -> None:
    down = f"127.0.0.1:{free_loopback_port()}"
    textfile = tmp_path / "gpu-conformance.prom"
    run = run_suite(start_cluster("seed"), tmp_path, *TUTORIAL_SELECTOR, "-m", "cluster", "--pushgateway",
                    f"http://{USER}:{PASSWORD_IN_URL}@{down}", "--metrics-file", str(textfile))
    assert run.failing() == set() and run.outcomes  # every check passed ...
    assert run.returncode == 1  # ... and yet the run failed: its results did not arrive
    problem = (f"gpu-conformance: metrics: cannot push to http://[REDACTED]@{down}/metrics/job/gpu-conformance/cluster/"
               f"{CONTEXT}: connection refused")
    assert [line for line in run.stdout.splitlines() if "metrics:" in line] == [
        problem, f"metrics: written to {textfile}"]  # the other destination still got them
    assert re.search(r"GPU conformance: \d+ checks on \d+ GPU nodes", run.stdout)
    leaks = [str(path) for path in tmp_path.rglob("*") if path.is_file()
             and any(secret in path.read_bytes() for secret in (PASSWORD.encode(), PASSWORD_IN_URL.encode()))]
    assert leaks == []
    assert PASSWORD not in run.stdout + run.stderr and PASSWORD_IN_URL not in run.stdout + run.stderr


@pytest.mark.parametrize(("option", "value", "error"), [
    ("--metrics-file", "gpu-conformance.txt", "--metrics-file gpu-conformance.txt: node_exporter's textfile "
                                              "collector reads only *.prom files; name it e.g. gpu-conformance.prom"),
    ("--pushgateway", f"{USER}:{PASSWORD_IN_URL}@pushgateway:9091",
     "command line: pushgateway: expected an http:// or https:// URL with a host, such as 'http://127.0.0.1:9091', "
     "got '[REDACTED]@pushgateway:9091'"),
])
def test_unusable_options_stop_the_run_before_it_starts(option: str, value: str, error: str,
                                                        start_cluster: StartCluster, tmp_path: Path) -> None:
    run = run_suite(start_cluster("seed"), tmp_path, option, value)
    assert run.returncode == 4 and run.outcomes == {}
    assert run.stderr.strip() == f"ERROR: {error}"


def test_an_interrupted_run_keeps_the_last_complete_runs_results(start_cluster: StartCluster,
                                                                  tmp_path: Path) -> None:
    """Its partial results replace nothing; it records only that it was interrupted: one series pushed beside the
    last complete run's, and a JUnit property."""
    cluster = start_cluster("plugin-crashloop")  # its unschedulable vectoradd keeps the run busy for seconds
    textfile = tmp_path / "gpu-conformance.prom"
    textfile.write_text("# the last complete run's\n")
    junit = tmp_path / "junit.xml"
    with pushgateway(tmp_path) as gateway:
        last_complete = 'gpu_conformance_check_success{check="PRE-DRIVER",cluster="gpu-sim",node="n1"} 1\n'
        Pushgateway.parse(gateway.url).push(CONTEXT, last_complete)
        returncode, output = sigterm_once_jobs_exist(
            [sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(cluster.kubeconfig), "-p",
             "no:cacheprovider", "-q", *TUTORIAL_SELECTOR, "--summary-dir", str(tmp_path), "--metrics-file",
             str(textfile), "--pushgateway", gateway.url, "--junitxml", str(junit)], cluster)
        exposed = gateway.get("/metrics").text
    assert returncode == 2, output
    assert "metrics: run interrupted, its results not published (the last complete run's stay)" in output
    assert f"metrics: the interruption pushed to {gateway.url}/metrics/job/gpu-conformance/cluster/{CONTEXT}" in output
    assert textfile.read_text() == "# the last complete run's\n"
    assert 'gpu_conformance_check_success{check="PRE-DRIVER",cluster="gpu-sim",instance="",job="gpu-conformance",' \
           'node="n1"} 1' in exposed
    assert re.search(r'^gpu_conformance_last_interrupted_run_timestamp_seconds\{cluster="gpu-sim",instance="",'
                     r'job="gpu-conformance"\} \S+$', exposed, re.MULTILINE), exposed
    assert junit_properties(junit) == {INTERRUPTED_PROPERTY: "true"}
