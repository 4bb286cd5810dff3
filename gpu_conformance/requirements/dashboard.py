"""MON-DASHBOARD-METRICS: the tutorial's Grafana dashboard (14574) has data for the node's GPUs.

The dashboard is written for nvidia_gpu_exporter, and its 2026 revision reads series only some exporters serve
(a newer release, the NVML backend, an option, some hardware: monitoring/dashboard_series.py). A panel left
empty by one of those is named in the verdict, not failed: the exporter documents it as expected. A panel left
empty by a series every nvidia_gpu_exporter serves for every GPU fails, naming the panel and the series.
dcgm-exporter's nodes are not judged: it serves none of the dashboard's ``nvidia_smi_*`` series.
"""

from __future__ import annotations

from collections.abc import Iterable

from gpu_conformance.checks import MON_DASHBOARD_METRICS, MON_EXPORTER_GPUS, MON_EXPORTER_UP
from gpu_conformance.facts.exporters import ExporterFacts
from gpu_conformance.facts.gpu_nodes import GpuNode
from gpu_conformance.monitoring.dashboard import Dashboard, Panel
from gpu_conformance.monitoring.dashboard_series import need_of
from gpu_conformance.requirements.wording import plural
from gpu_conformance.verdict import Verdict

_SHOWN = 4  # series named per panel


def _unserved(panel: Panel, served: frozenset[str]) -> tuple[str, ...]:
    names = (s.name or s.name_pattern or "" for q in panel.queries for s in q.selectors if not s.served_by(served))
    return tuple(dict.fromkeys(names))


def _series(series: tuple[str, ...]) -> str:
    more = f" and {len(series) - _SHOWN} more" if len(series) > _SHOWN else ""
    return ", ".join(series[:_SHOWN]) + more


def _named(panels: Iterable[tuple[str, tuple[str, ...]]]) -> str:
    """``'Temperature' (nvidia_smi_temperature_gpu), ...``: each panel once, with the series it lacks."""
    shown = dict.fromkeys(f"{title!r} ({_series(series)})" for title, series in panels)
    return ", ".join(shown)


def _expected_empty(panels: list[tuple[str, tuple[str, ...]]]) -> str:
    """The panels that may stay empty, grouped by what their series need."""
    by_need: dict[str, dict[str, None]] = {}
    for title, series in panels:
        for name in series:
            by_need.setdefault(need_of(name) or "", {})[repr(title)] = None
    return "; ".join(f"{', '.join(titles)} (need {need})" for need, titles in by_need.items())


def dashboard_metrics_served(node: GpuNode, facts: ExporterFacts, dashboard: Dashboard) -> Verdict:
    check = MON_DASHBOARD_METRICS
    metrics = facts.metrics
    if metrics is None:
        return Verdict.skipped(check, f"no metrics from the exporter of node {node.name}: see {MON_EXPORTER_UP.id}")
    named = f"dashboard {dashboard.title!r} (uid {dashboard.uid})"
    if metrics.format != "nvidia_gpu_exporter":
        return Verdict.skipped(check, f"the exporter of node {node.name} is {metrics.format}, and {named} reads "
                                      "nvidia_gpu_exporter's nvidia_smi_* series: not judged")
    if not metrics.gpu_uuids:
        return Verdict.skipped(check, f"the exporter of node {node.name} reports no GPU: see {MON_EXPORTER_GPUS.id}")
    served = frozenset(metrics.metric_names)
    empty = [(p.title, _unserved(p, served)) for p in (*dashboard.variables, *dashboard.panels)
             if not p.returns_data(served)]
    broken = [(title, series) for title, series in empty if any(need_of(name) is None for name in series)]
    if broken:
        return Verdict.failed(
            check, f"{plural(len(dict(broken)), 'panel')} of {named} without data: {_named(broken)}",
            facts.url or facts.source, "every series the dashboard reads for every GPU served "
            f"(bundled from {dashboard.source})")
    running = f" (this node runs v{metrics.exporter_version})" if metrics.exporter_version else ""
    may = f"; may stay empty, as nvidia_gpu_exporter documents{running}: {_expected_empty(empty)}" if empty else ""
    total = len(dashboard.panels) + len(dashboard.variables)
    return Verdict.passed(check, f"data for {total - len(empty)} of {total} panels and variables of "
                                 f"{named}{may}", facts.url or facts.source)
