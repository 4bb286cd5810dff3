"""The HTML report as a reader sees it: the suite runs on a simulated cluster, `gpu-conformance report`
renders its results, and headless Chromium opens the single index.html from disk. The report must need nothing
beyond its own file: any other request is refused and fails the test.

The totals shown must be the suite's own (reports/summary.json), the failing node's check must be
findable and show why it failed, and a second report must carry the first one as history.
Screenshots go to tmp_path, and also to $GPU_CONFORMANCE_SCREENSHOTS when set (`./dev screenshots`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from gpusim.testing import StartCluster
from playwright.sync_api import ConsoleMessage, Page, Route, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.suite.suite_runner import ROOT, SuiteRun, run_suite

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # Playwright gives it a fresh profile directory
SCREENSHOTS = "GPU_CONFORMANCE_SCREENSHOTS"
SUITE_OPTIONS = ("--gpu-node-selector", "gpu-node=true")  # as ./dev demo runs it
OUTCOMES = ("passed", "failed", "broken", "skipped")
CHECK, NODE = "PRE-RUNTIME-DEFAULT", "k8s-node06"  # what the runtime-not-default scenario breaks


def render(run_dir: Path) -> Path:
    """`gpu-conformance report` on the suite's results, as a user runs it; the index.html it printed."""
    command = [sys.executable, "-m", "gpu_conformance", "report", "--results", str(run_dir / "allure-results"),
               "--output", str(run_dir / "html"), "--history", str(run_dir / "history" / "history.jsonl")]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr
    index = Path(done.stdout.strip())
    assert index == run_dir / "html" / "index.html" and index.is_file()
    return index


@contextmanager
def report_page(index: Path) -> Iterator[Page]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"this test opens the report in Chromium: {CHROMIUM} is missing (apt-get install chromium)",
                    pytrace=False)
    outside: list[str] = []  # what the report asked for beyond its own file
    said: list[str] = []  # the page's errors, to tell why it did not render

    def refuse(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    def note_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            said.append(f"console: {message.text}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1200})
            page.route(re.compile(r"^(?!file:|data:|blob:)"), refuse)
            page.on("console", note_error)
            page.on("pageerror", lambda error: said.append(f"page error: {error}"))
            page.goto(index.as_uri())
            try:
                page.get_by_test_id("metadata-item-total").wait_for()
            except PlaywrightTimeoutError:
                pytest.fail(f"{index} did not render its totals within 30 s; the page said: {said or 'nothing'}",
                            pytrace=False)
            yield page
        finally:
            browser.close()
    assert not outside, f"the report reached beyond its own file: {outside}"


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    """The report scrolls its own panel to the selected test: back to the top, so the header shows."""
    page.evaluate("() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })")
    page.screenshot(path=tmp_path / name)
    if os.environ.get(SCREENSHOTS):
        folder = Path(os.environ[SCREENSHOTS])
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / name, folder / name)


def suite_totals(tmp_path: Path) -> dict[str, int]:
    """The suite's own count of each outcome (summary.json), without the outcomes no check had."""
    totals: dict[str, int] = json.loads((tmp_path / "summary.json").read_text())["totals"]
    return {outcome: count for outcome, count in totals.items() if count}


def shown_totals(page: Page) -> dict[str, int]:
    """The counts in the report's header: Allure shows an outcome only when some test had it."""
    shown = {}
    for outcome in ("total", *OUTCOMES):
        item = page.get_by_test_id(f"metadata-item-{outcome}")
        if item.count():
            shown[outcome] = int(item.inner_text().split()[-1])
    return shown


def junit_message(run: SuiteRun, check: str, node: str) -> str:
    """The failure message the suite's JUnit XML gives the check on the node."""
    found = [message for test, (outcome, message) in run.outcomes.items()
             if outcome == "failed" and test.endswith(f"[{node}]") and f"[{check}]" in message]
    assert len(found) == 1, run.stdout
    return found[0]


def test_report_shows_the_totals_and_the_failing_nodes_check(start_cluster: StartCluster, tmp_path: Path) -> None:
    run = run_suite(start_cluster("runtime-not-default"), tmp_path, *SUITE_OPTIONS)
    assert (CHECK, NODE) in run.failing(), run.stdout
    expected = suite_totals(tmp_path)
    render(tmp_path)
    index = render(tmp_path)  # a second run of the report: the first is now its history
    assert len((tmp_path / "history" / "history.jsonl").read_text().splitlines()) == 2
    with report_page(index) as page:
        assert shown_totals(page) == {"total": sum(expected.values()), **expected}
        screenshot(page, tmp_path, "report-runtime-not-default.png")

        page.get_by_test_id("search-input").fill(CHECK)
        page.get_by_test_id("tab-failed").click()
        page.get_by_test_id("tree-leaf").filter(has_text=CHECK).filter(has_text=NODE).click()
        assert CHECK in page.get_by_test_id("test-result-info-title").inner_text()
        shown = " ".join(page.get_by_test_id("test-result-error-message").inner_text().split())
        assert " ".join(junit_message(run, CHECK, NODE).split())[:200] in shown  # JUnit's copy may be cut short
        screenshot(page, tmp_path, "report-failing-check.png")

        page.get_by_test_id("test-result-tab-history").click()
        expect(page.get_by_test_id("test-result-history-item")).to_have_count(1)  # the first report's run

        page.goto(index.as_uri())  # back to the overview
        page.get_by_test_id("nav-tab-categories").click()
        expect(page.get_by_text("Not conformant").first).to_be_visible()


def test_report_of_a_healthy_cluster_shows_nothing_failing(start_cluster: StartCluster, tmp_path: Path) -> None:
    run = run_suite(start_cluster("hardened"), tmp_path, *SUITE_OPTIONS)  # seed fails its SEC checks
    assert run.returncode == 0, run.stdout
    expected = suite_totals(tmp_path)
    assert set(expected) <= {"passed", "skipped"}
    with report_page(render(tmp_path)) as page:
        assert shown_totals(page) == {"total": sum(expected.values()), **expected}
        screenshot(page, tmp_path, "report-seed.png")
