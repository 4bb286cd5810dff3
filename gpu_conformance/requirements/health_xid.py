"""HEALTH-XID: the last Xid each GPU reported, as the node's exporter serves it, is none or the application's.

dcgm-exporter serves ``DCGM_FI_DEV_XID_ERRORS`` per GPU, a gauge holding the last Xid DCGM saw (0: none since it
started); the series carries no time of its own, so the time named is the scrape's. nvidia_gpu_exporter's
nvidia-smi backend serves no Xid series: the check then says it has nothing to judge by.
"""

from __future__ import annotations

from gpu_conformance.checks import HEALTH_XID
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.requirements.wording import plural
from gpu_conformance.verdict import Verdict
from gpu_conformance.xids import APPLICATION_XIDS, described

_IGNORED = ", ".join(map(str, sorted(APPLICATION_XIDS)))


def no_critical_xid(facts: ExporterFacts) -> Verdict:
    """Each GPU's last Xid is 0 or one the device plugin ignores as the application's; the others are named."""
    metrics = facts.metrics
    if metrics is None:
        return Verdict.skipped(HEALTH_XID, f"the exporter of node {facts.node} gave no metrics: see MON-EXPORTER-UP")
    if metrics.xid_series is None:
        return Verdict.skipped(HEALTH_XID, f"the {metrics.format} exporter at {facts.url} serves no Xid series "
                                           "(dcgm-exporter's DCGM_FI_DEV_XID_ERRORS): no Xid to judge")
    source = f"{metrics.xid_series} at {facts.url}"
    critical = [(gpu, xid) for gpu, xid in metrics.xids if xid and xid not in APPLICATION_XIDS]
    if not critical:
        ignored = [f"{described(xid)} on {gpu}" for gpu, xid in metrics.xids if xid]
        also = f" ({'; '.join(ignored)}: the application's, ignored)" if ignored else ""
        return Verdict.passed(HEALTH_XID, f"no critical Xid on {plural(len(metrics.xids), 'GPU')}{also}", source)
    found = "; ".join(f"{gpu}: last {described(xid)}" for gpu, xid in critical)
    return Verdict.failed(HEALTH_XID, f"{found}, as of the scrape", source,
                          f"no critical Xid (0, or an application error: {_IGNORED})")
