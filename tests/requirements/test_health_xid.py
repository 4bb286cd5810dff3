"""HEALTH-XID: each GPU's last Xid from the exporter is none or the application's; a critical one is named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.monitoring.exporters.formats import parse_metrics
from gpu_conformance.requirements.health_xid import no_critical_xid

pytestmark = pytest.mark.unit

URL = "http://127.0.1.5:9400/metrics"
GPU0, GPU1 = "GPU-868d62cf-5637-84e5-a646-965aaaae698d", "GPU-1b77a84d-ea51-9545-0551-a98179d2a5cf"


def dcgm(*last: int) -> ExporterFacts:
    """dcgm-exporter's answer with these last Xids, in its own lines (FACTS.md: labels gpu, UUID, ...)."""
    lines = "".join(f'DCGM_FI_DEV_XID_ERRORS{{gpu="{i}",UUID="{uuid}",Hostname="k8s-node05"}} {xid}\n'
                    for i, (uuid, xid) in enumerate(zip((GPU0, GPU1), last, strict=False)))
    body = "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n" \
           "# TYPE DCGM_FI_DEV_XID_ERRORS gauge\n" + lines
    return ExporterFacts("k8s-node05", URL, "node address", 5.0, status=200, metrics=parse_metrics(body))


def test_no_xid_passes() -> None:
    verdict = no_critical_xid(dcgm(0, 0))
    assert verdict.ok and not verdict.skip
    assert verdict.message == f"found no critical Xid on 2 GPUs at DCGM_FI_DEV_XID_ERRORS{{UUID}} at {URL}"


def test_an_application_xid_passes_saying_so() -> None:
    verdict = no_critical_xid(dcgm(13, 0))
    assert verdict.ok and f"(Xid 13 (Graphics Engine Exception) on {GPU0}: the application's, ignored)" in \
        verdict.message


def test_a_critical_xid_is_named_with_its_meaning() -> None:
    verdict = no_critical_xid(dcgm(0, 79))
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[HEALTH-XID] found {GPU1}: last Xid 79 (GPU has fallen off the bus), as of the scrape at "
        f"DCGM_FI_DEV_XID_ERRORS{{UUID}} at {URL}, expected no critical Xid (0, or an application error: 13, 31, 43, "
        "45, 68, 109); fix: look the Xid up in NVIDIA's Xid catalogue")


def test_an_exporter_without_an_xid_series_is_skipped_saying_so() -> None:
    facts = dcgm(0)
    assert facts.metrics is not None
    facts = replace(facts, metrics=replace(facts.metrics, xids=(), xid_series=None))
    verdict = no_critical_xid(facts)
    assert verdict.skip and "serves no Xid series (dcgm-exporter's DCGM_FI_DEV_XID_ERRORS)" in verdict.message


def test_no_answer_is_left_to_mon_exporter_up() -> None:
    facts = ExporterFacts("k8s-node05", URL, "node address", 5.0, transport_error="connection refused")
    assert "see MON-EXPORTER-UP" in no_critical_xid(facts).message
