"""Reading ``dcgmi diag -j``. The sample (data/dcgmi-diag-r2-memory-fail.log) is written to the shape dcgmi 4.x
prints, from NVIDIA/DCGM's source: nv-hostengine's first line (hostengine/src/main.cpp), the JSON of
dcgmi/Diag.cpp HelperJsonBuildOutput with the keys of nvvs/include/NvvsJsonStrings.h (checked against
testing/python3/dcgm_diag_schema.json), jsoncpp's 3-space indent, and the messages, ids, categories and severities
of dcgmlib/dcgm_errors.h and dcgmlib/src/dcgm_errors.c (DCGM_FR_ROW_REMAP_FAILURE 80, DCGM_FR_PCIE_GENERATION 45,
DCGM_FR_MEMORY_MISMATCH 58). It is not a capture from a GPU node."""

from __future__ import annotations

from pathlib import Path

import pytest

from gpu_conformance.diagnostics.dcgm_json import NotDcgmJson, parse_dcgm_diag
from gpu_conformance.facts.diagnostics import DcgmTestResult

pytestmark = pytest.mark.unit
SAMPLE = (Path(__file__).parent / "data" / "dcgmi-diag-r2-memory-fail.log").read_text()


def test_every_per_gpu_result_with_dcgms_messages() -> None:
    report = parse_dcgm_diag(SAMPLE)
    assert report.version == "4.2.3" and report.runtime_error is None
    assert [(r.test, r.gpu, r.status) for r in report.results] == [
        ("software", 0, "Fail"), ("software", 1, "Pass"), ("pcie", 0, "Pass"), ("pcie", 1, "Warn"),
        ("memory", 0, "Fail"), ("memory", 1, "Pass")]
    assert report.results[0] == DcgmTestResult(
        "Deployment", "software", 0, "Fail",
        ("GPU 0 had uncorrectable memory errors and row remapping failed. (DCGM error 80)",))


def test_a_test_without_per_gpu_results_counts_by_its_summary() -> None:
    text = ('{"DCGM Diagnostic": {"test_categories": [{"category": "Deployment", "tests": [{"name": "software", '
            '"test_summary": {"status": "Skip", "info": ["no GPU found"]}}]}]}}')
    assert parse_dcgm_diag(text).results == (DcgmTestResult("Deployment", "software", None, "Skip", (),
                                                            ("no GPU found",)),)


def test_dcgm_3_shape_names_gpus_by_gpu_ids() -> None:
    text = ('{"DCGM GPU Diagnostic": {"test_categories": [{"category": "Hardware", "tests": [{"name": "Memory", '
            '"results": [{"gpu_ids": "1", "status": "Fail", "warnings": [{"warning": "bad", "error_id": 58}]}]}]}], '
            '"version": "3.3.5"}}')
    report = parse_dcgm_diag(text)
    assert report.version == "3.3.5"
    assert report.results == (DcgmTestResult("Hardware", "Memory", 1, "Fail", ("bad (DCGM error 58)",)),)


def test_a_runtime_error_is_kept() -> None:
    report = parse_dcgm_diag('{"DCGM Diagnostic": {"runtime_error": "Unable to connect to the host engine"}}')
    assert report.runtime_error == "Unable to connect to the host engine" and report.results == ()


@pytest.mark.parametrize(("text", "said"), [
    ("Error: unable to establish a connection to the specified host: localhost", "no JSON object"),
    ('Started host engine\n{"DCGM Diagnostic": ', "no JSON object"),
    ("{not json}", "does not parse"),
    ('{"something": {}}', "has no 'DCGM Diagnostic' or 'DCGM GPU Diagnostic' object"),
])
def test_what_is_not_dcgmis_json_says_what_it_is(text: str, said: str) -> None:
    with pytest.raises(NotDcgmJson, match=said):
        parse_dcgm_diag(text)
