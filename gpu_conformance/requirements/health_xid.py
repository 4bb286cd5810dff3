"""HEALTH-XID: no GPU of the node reported a critical Xid, as the exporter serves it or, failing that, as the
driver logged it on the host.

dcgm-exporter serves ``DCGM_FI_DEV_XID_ERRORS`` per GPU, a gauge holding the last Xid DCGM saw (0: none since it
started); the series carries no time of its own, so the time named is the scrape's. nvidia_gpu_exporter's
nvidia-smi backend serves no Xid series: then the probe's read of the host's kernel log stands in, every Xid line
in its tail (since the log's last rotation, as far as the tail reaches) with its own time.
"""

from __future__ import annotations

from gpu_conformance.checks import HEALTH_XID
from gpu_conformance.facts.cluster import ProbeOutcome
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.node import XidEvent
from gpu_conformance.requirements.wording import plural
from gpu_conformance.verdict import Verdict
from gpu_conformance.xids import APPLICATION_XIDS, described

_IGNORED = ", ".join(map(str, sorted(APPLICATION_XIDS)))
_EXPECTED = f"no critical Xid (0, or an application error: {_IGNORED})"


def _critical(xid: int) -> bool:
    return bool(xid) and xid not in APPLICATION_XIDS


def _from_exporter(facts: ExporterFacts) -> Verdict | None:
    metrics = facts.metrics
    if metrics is None or metrics.xid_series is None:
        return None
    source = f"{metrics.xid_series} at {facts.url}"
    critical = [(gpu, xid) for gpu, xid in metrics.xids if _critical(xid)]
    if not critical:
        ignored = [f"{described(xid)} on {gpu}" for gpu, xid in metrics.xids if xid]
        also = f" ({'; '.join(ignored)}: the application's, ignored)" if ignored else ""
        return Verdict.passed(HEALTH_XID, f"no critical Xid on {plural(len(metrics.xids), 'GPU')}{also}", source)
    found = "; ".join(f"{gpu}: last {described(xid)}" for gpu, xid in critical)
    return Verdict.failed(HEALTH_XID, f"{found}, as of the scrape", source, _EXPECTED)


def _latest(events: tuple[XidEvent, ...]) -> list[XidEvent]:
    """Each (GPU, Xid) once, at its last time in the log."""
    return list({(e.pci, e.xid): e for e in events}.values())


def _from_kernel_log(node: str, outcome: ProbeOutcome | None, why_not_exporter: str) -> Verdict:
    if outcome is None:
        return Verdict.skipped(HEALTH_XID, f"{why_not_exporter}, and this run probes no node to read the kernel "
                                           "log instead (select a node_local check, or --local-probe)")
    read = outcome.probe.xid_events if outcome.probe is not None else None
    if read is None or not read.ok or read.value is None:
        why = read.error if read is not None else outcome.error
        return Verdict.skipped(HEALTH_XID, f"{why_not_exporter}, and the kernel log of node {node} could not be "
                                           f"read: {why}")
    critical = [e for e in _latest(read.value) if _critical(e.xid)]
    if not critical:
        return Verdict.passed(HEALTH_XID, f"no critical Xid among {plural(len(read.value), 'Xid line')} "
                                          "of the kernel log", read.source)
    found = "; ".join(f"GPU at PCI {e.pci}: {described(e.xid)}{f' at {e.when}' if e.when else ''}"
                      for e in critical)
    return Verdict.failed(HEALTH_XID, found, read.source, _EXPECTED)


def no_critical_xid(facts: ExporterFacts, outcome: ProbeOutcome | None) -> Verdict:
    """Each GPU's last Xid from the exporter, else every Xid in the host's kernel log, is none or the
    application's; the others are named with their meaning."""
    judged = _from_exporter(facts)
    if judged is not None:
        return judged
    if facts.metrics is None:
        why = f"the exporter of node {facts.node} gave no metrics (see MON-EXPORTER-UP)"
    else:
        why = (f"the {facts.metrics.format} exporter at {facts.url} serves no Xid series (dcgm-exporter's "
               "DCGM_FI_DEV_XID_ERRORS)")
    return _from_kernel_log(facts.node, outcome, why)
