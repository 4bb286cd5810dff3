"""MON-GRAFANA-DASHBOARD: the tutorial's Grafana dashboard is installed, and the data source it reads answers."""

from __future__ import annotations

from gpu_conformance.checks import MON_GRAFANA_DASHBOARD
from gpu_conformance.facts.grafana import GrafanaFacts
from gpu_conformance.monitoring.dashboard import Dashboard
from gpu_conformance.verdict import Verdict


def grafana_dashboard_live(facts: GrafanaFacts, bundled: Dashboard) -> Verdict:
    check = MON_GRAFANA_DASHBOARD
    wanted = f"dashboard {bundled.title!r} (uid {bundled.uid})"
    if facts.dashboard is None:
        return Verdict.failed(check, f"no {wanted}: {facts.looked}", facts.url, f"{wanted} installed")
    installed = facts.dashboard
    shown = f"dashboard {installed.title!r} (uid {installed.uid}, version {installed.version}) at {installed.url}"
    health = facts.datasource
    if health is None:
        return Verdict.failed(check, f"{shown}; {facts.datasource_problem}", facts.url,
                              "a Prometheus data source for its panels, answering Grafana's health check")
    source = f"data source {health.name!r} (uid {health.uid}, {health.type})"
    said = f"{health.status}: {health.message}" if health.message else health.status
    if health.status != "OK":
        return Verdict.failed(check, f"{shown}; {source} answering HTTP {health.http_status} {said}",
                              f"{facts.url} {health.source}", "its health check answering status OK")
    return Verdict.passed(check, f"{shown}; {source} {said}", facts.url)
