"""The suite on a simulated cluster shows each check's level everywhere it reports (terminal table, summary.json,
JUnit, Allure and its HTML report, metrics), and ``--level`` deselects the checks of the other levels: reported
as deselected, never skipped; the whole suite's items split into the two levels as the catalogue says, and into
read-only and workload ones under ``-m``, each check deselected on every node counted once."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gpusim.testing import running
from playwright.sync_api import expect
from prometheus_client.parser import text_string_to_metric_families

from conformance.binding import MARKER
from conformance.plugin.levels import JUNIT_PROPERTY
from gpu_conformance.reporting.summary import read_summary
from tests.reporting.test_report_browser import render, report_page
from tests.suite.suite_runner import ROOT

# The suite's markers are registered by its plugin, which the project's own tests do not load (_level_of imports
# the conformance modules).
pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::pytest.PytestUnknownMarkWarning")]

# Tutorial checks only: the cluster-wide and read-only ones of these modules (no probe pod, no vectoradd Job).
MODULES = ("conformance/test_prerequisites.py", "conformance/test_device_plugin.py", "conformance/test_capacity.py")


@dataclass(frozen=True)
class Run:
    done: subprocess.CompletedProcess[str]
    folder: Path


def _suite(kubeconfig: Path, folder: Path, *args: str) -> Run:
    folder.mkdir()
    command = [sys.executable, "-m", "pytest", *MODULES, "--kubeconfig", str(kubeconfig), "-p", "no:cacheprovider",
               "-p", "no:randomly", "-m", "not workload", "--summary-dir", str(folder),
               f"--junitxml={folder / 'junit.xml'}", "--alluredir", str(folder / "allure-results"),
               "--metrics-file", str(folder / "gpu-conformance.prom"), *args]
    return Run(subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False), folder)


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The seed cluster, for the module."""
    with running("seed", tmp_path_factory.mktemp("seed")) as cluster:
        yield cluster.kubeconfig


@pytest.fixture(scope="module")
def tutorial(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _suite(kubeconfig, tmp_path_factory.mktemp("levels") / "tutorial", "--level", "tutorial")


def test_the_run_passes_and_its_table_has_the_level_column(tutorial: Run) -> None:
    assert tutorial.done.returncode == 0, tutorial.done.stdout[-3000:] + tutorial.done.stderr
    lines = tutorial.done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("check ") and "not passing" in line)
    column = lines[header].index("level")
    rows = [line for line in lines[header + 1:] if line[:1].isupper() and "-" in line.split()[0]]
    assert rows and {row[column:].split()[0] for row in rows} == {"tutorial"}


def test_summary_json_has_each_results_level(tutorial: Run) -> None:
    summary = read_summary(tutorial.folder / "summary.json")
    assert summary.run.level == "tutorial"
    assert summary.results and {r.level for r in summary.results} == {"tutorial"}
    body = json.loads((tutorial.folder / "summary.json").read_text())
    assert all(r["level"] == "tutorial" for r in body["results"])


def test_every_junit_testcase_has_its_level(tutorial: Run) -> None:
    cases = list(ET.parse(tutorial.folder / "junit.xml").getroot().iter("testcase"))
    assert cases
    for case in cases:
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert properties.get(JUNIT_PROPERTY) == "tutorial", case.get("name")


def test_every_allure_result_has_the_level_label_and_says_it(tutorial: Run) -> None:
    results = [json.loads(p.read_text()) for p in (tutorial.folder / "allure-results").glob("*-result.json")]
    assert results
    for result in results:
        labels = {label["name"]: label["value"] for label in result["labels"]}
        assert labels.get("level") == "tutorial", result["name"]
        assert "Level: tutorial (a link of the tutorial's chain)" in result["description"]


def test_the_metrics_carry_the_level(tutorial: Run) -> None:
    text = (tutorial.folder / "gpu-conformance.prom").read_text()
    levels = {sample.labels.get("level") for family in text_string_to_metric_families(text)
              for sample in family.samples if sample.name == "gpu_conformance_check_success"}
    assert levels == {"tutorial"}


def test_another_level_deselects_them_and_skips_none(kubeconfig: Path, tmp_path: Path) -> None:
    done = _suite(kubeconfig, tmp_path / "hardening", "--level", "hardening", "--co", "-q").done
    assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, done.stdout + done.stderr
    assert " deselected" in done.stdout and "skipped" not in done.stdout


def _collected(kubeconfig: Path, *args: str) -> tuple[set[str], str]:
    """The whole suite's test ids after collection (and deselection), and pytest's output."""
    command = [sys.executable, "-m", "pytest", "conformance", "--kubeconfig", str(kubeconfig), "-p", "no:cacheprovider",
               "--co", "-q", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    # No warning either: a plugin module imported before pytest registers it could not have its asserts rewritten.
    assert done.returncode == 0 and "warning" not in done.stdout, done.stdout + done.stderr
    return {line for line in done.stdout.splitlines() if "::" in line}, done.stdout


def _level_of(test_id: str) -> str:
    """The level of the catalogue entry the test function binds with @verifies."""
    module, _, function = test_id.partition("[")[0].partition("::")
    test = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), function)
    (mark,) = [m for m in getattr(test, "pytestmark", ()) if m.name == MARKER]
    level: str = mark.kwargs["entry"].level
    return level


def test_the_whole_suite_splits_into_its_levels(kubeconfig: Path) -> None:
    every, plain = _collected(kubeconfig)
    tutorial, said = _collected(kubeconfig, "--level", "tutorial")
    hardening, _ = _collected(kubeconfig, "--level", "hardening")
    assert tutorial | hardening == every and not tutorial & hardening
    assert {_level_of(test) for test in tutorial} == {"tutorial"}
    assert hardening and {_level_of(test) for test in hardening} == {"hardening"}
    # A check deselected on every node is one deselected item (conformance/plugin/whole_check_deselection.py):
    # --gpu-request auto deselects seed's DRA checks whatever the level, --level adds the hardening ones.
    by_gpu_request = _deselected(plain)
    assert by_gpu_request > 0 and _functions(tutorial) < _functions(every)
    assert _deselected(said) == len(_functions(every)) + by_gpu_request - len(_functions(tutorial))


def test_m_splits_the_suite_as_pytest_does_and_counts_a_deselected_check_once(kubeconfig: Path) -> None:
    every, plain = _collected(kubeconfig)
    read_only, said = _collected(kubeconfig, "-m", "not workload")
    workload, _ = _collected(kubeconfig, "-m", "workload")
    assert read_only | workload == every and not read_only & workload
    assert "conformance/test_workload.py::test_vectoradd_passes[k8s-node05]" in workload  # seed's GPU nodes
    assert "conformance/test_prerequisites.py::test_driver_version[k8s-node05]" in workload  # node_local: a probe pod
    assert _deselected(said) == len(_functions(workload)) + _deselected(plain)


def _functions(test_ids: set[str]) -> set[str]:
    return {test.partition("[")[0] for test in test_ids}


def _deselected(output: str) -> int:
    return int(re.search(r"\((\d+) deselected\)", output)[1])  # type: ignore[index]


def test_the_html_report_shows_the_level(tutorial: Run) -> None:
    """The check's result in `gpu-conformance report`'s HTML, opened in Chromium: its labels show the level."""
    with report_page(render(tutorial.folder)) as page:
        page.get_by_test_id("tree-section-title").filter(has_text="Prerequisites").click()
        page.get_by_test_id("tree-section-title").filter(has_text="PRE-K8S-VERSION").click()
        page.get_by_test_id("tree-leaf").first.click()
        expect(page.get_by_test_id("test-result-info-title")).to_contain_text("PRE-K8S-VERSION")
        level = page.get_by_test_id("metadata-item").filter(
            has=page.get_by_test_id("metadata-item-key").get_by_text("level", exact=True))
        expect(level.get_by_test_id("metadata-item-value")).to_have_text("tutorial")


def test_a_bad_level_on_the_command_line_is_one_line_and_status_4() -> None:
    command = [sys.executable, "-m", "pytest", "conformance", "-p", "no:cacheprovider", "--level", "tutorials"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr.strip()) == (
        pytest.ExitCode.USAGE_ERROR, "ERROR: command line: level: expected 'tutorial' or 'hardening' or 'all', "
                                     "got 'tutorials'")
