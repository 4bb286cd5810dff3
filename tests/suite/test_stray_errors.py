"""Nothing unexpected in gathering surfaces as a traceback verdict: it is "could not inspect" in one line,
its traceback attached to the Allure result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gpusim.testing import StartCluster

from conformance.plugin.stray_errors import TRACEBACK_ATTACHMENT
from tests.suite.suite_runner import run_suite

pytestmark = pytest.mark.e2e


def test_a_gatherer_bug_is_could_not_inspect_with_its_traceback_attached(start_cluster: StartCluster,
                                                                           tmp_path: Path) -> None:
    run = run_suite(start_cluster("seed"), tmp_path, "-p", "tests.suite.break_gathering", "-m", "workload",
                    "--gpu-node-selector", "gpu-node=true")
    results = json.loads((tmp_path / "summary.json").read_text())["results"]
    vectoradd = [r for r in results if r["check"] == "WORKLOAD-VECTORADD"]
    assert [r["outcome"] for r in vectoradd] == ["broken", "broken"]
    assert {r["message"] for r in vectoradd} == {
        "could not inspect: gathering the facts failed unexpectedly: TypeError: 'int' object is not subscriptable "
        "(a bug of gpu-conformance: its traceback is attached to the report)"}
    assert "Traceback" not in json.dumps(results) and "Traceback" not in run.stdout
    allure = [json.loads(p.read_text()) for p in (tmp_path / "allure-results").glob("*-result.json")]
    attached = [a for r in allure for a in r.get("attachments", []) if a["name"] == TRACEBACK_ATTACHMENT]
    assert attached, "the traceback is attached"
    text = (tmp_path / "allure-results" / attached[0]["source"]).read_text()
    assert "TypeError: 'int' object is not subscriptable" in text and "_broken_gatherer" in text
