"""HEALTH-XID: each GPU's last Xid from the exporter is none or the application's; a critical one is named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.node import Observed, XidEvent
from gpu_conformance.monitoring.exporters.formats import parse_metrics
from gpu_conformance.requirements.health_xid import no_critical_xid
from tests.requirements.builders import outcome, probe

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
    verdict = no_critical_xid(dcgm(0, 0), None)
    assert verdict.ok and not verdict.skip
    assert verdict.message == f"found no critical Xid on 2 GPUs at DCGM_FI_DEV_XID_ERRORS{{UUID}} at {URL}"


def test_an_application_xid_passes_saying_so() -> None:
    verdict = no_critical_xid(dcgm(13, 0), None)
    assert verdict.ok and f"(Xid 13 (Graphics Engine Exception) on {GPU0}: the application's, ignored)" in \
        verdict.message


def test_a_critical_xid_is_named_with_its_meaning() -> None:
    verdict = no_critical_xid(dcgm(0, 79), None)
    assert not verdict.ok
    assert verdict.message.startswith(
        f"[HEALTH-XID] found {GPU1}: last Xid 79 (GPU has fallen off the bus), as of the scrape at "
        f"DCGM_FI_DEV_XID_ERRORS{{UUID}} at {URL}, expected no critical Xid (0, or an application error: 13, 31, 43, "
        "45, 68, 109); fix: look the Xid up in NVIDIA's Xid catalogue")


def no_series() -> ExporterFacts:
    facts = dcgm(0)
    assert facts.metrics is not None
    return replace(facts, metrics=replace(facts.metrics, xids=(), xid_series=None))


KERN_LOG = "/host/var/log/kern.log"


def kernel_log(*events: XidEvent) -> ProbeOutcome:
    return outcome(probe(xid_events=Observed(events, KERN_LOG)))


def test_without_an_xid_series_and_no_probe_it_is_skipped_saying_both() -> None:
    verdict = no_critical_xid(no_series(), None)
    assert verdict.skip
    assert "serves no Xid series (dcgm-exporter's DCGM_FI_DEV_XID_ERRORS), and this run probes no node" in \
        verdict.message


def test_without_an_xid_series_the_kernel_log_is_judged() -> None:
    assert no_critical_xid(no_series(), kernel_log()).message == \
        f"found no critical Xid among 0 Xid lines of the kernel log at {KERN_LOG}"
    benign = no_critical_xid(no_series(), kernel_log(XidEvent("0000:01:00", 13, "Dec  4 03:10:11")))
    assert benign.ok and not benign.skip
    verdict = no_critical_xid(no_series(), kernel_log(XidEvent("0000:02:00", 48, "Dec  4 03:09:00"),
                                                      XidEvent("0000:02:00", 48, "Dec  4 03:10:11")))
    assert verdict.message.startswith(
        "[HEALTH-XID] found GPU at PCI 0000:02:00: Xid 48 (Double Bit ECC Error) at Dec  4 03:10:11 at "
        f"{KERN_LOG}, expected no critical Xid")


def test_an_unreadable_kernel_log_is_skipped_naming_why() -> None:
    unread = outcome(probe(xid_events=Observed.missing(KERN_LOG, "no kernel log file (a host logging to journald "
                                                                 "only keeps none)")))
    verdict = no_critical_xid(no_series(), unread)
    assert verdict.skip and verdict.message.endswith("could not be read: no kernel log file (a host logging to "
                                                     "journald only keeps none)")


def test_no_answer_falls_back_to_the_kernel_log_too() -> None:
    facts = ExporterFacts("k8s-node05", URL, "node address", 5.0, transport_error="connection refused")
    assert no_critical_xid(facts, kernel_log()).ok
