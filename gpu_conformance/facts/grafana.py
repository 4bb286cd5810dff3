"""A live Grafana as its HTTP API showed it: the tutorial's dashboard there, and the data source it reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstalledDashboard:
    uid: str
    title: str
    version: int | None
    url: str  # Grafana's path to it, e.g. /d/vlvPlrgnk/nvidia-gpu-metrics


@dataclass(frozen=True)
class DataSourceHealth:
    uid: str
    name: str
    type: str
    http_status: int  # of GET /api/datasources/uid/UID/health: 200 OK, 400 with status ERROR
    status: str  # "OK", "ERROR", or what else the answer said
    message: str
    source: str  # the health check's URL


@dataclass(frozen=True)
class GrafanaFacts:
    """What ``url`` answered. ``dashboard`` None: not installed (``looked`` says where it was looked for);
    ``datasource`` None: no Prometheus data source found (``datasource_problem`` says why)."""

    url: str
    looked: str  # the requests that found (or did not find) the dashboard
    dashboard: InstalledDashboard | None = None
    datasource: DataSourceHealth | None = None
    datasource_problem: str | None = None
