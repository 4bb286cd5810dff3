"""Prometheus as configured (prometheus.yml's scrape jobs) and as running (its targets and rules)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class ScrapeJob:
    name: str
    targets: tuple[str, ...] = ()  # host:port from static_configs
    discovery: tuple[str, ...] = ()  # the *_sd_configs keys the job uses
    metrics_path: str = "/metrics"
    scheme: str = "http"


@dataclass(frozen=True)
class ScrapeConfig:
    path: str
    jobs: tuple[ScrapeJob, ...] = ()
    problem: str | None = None  # why no jobs could be read at all

    def jobs_scraping(self, addresses: tuple[str, ...]) -> tuple[ScrapeJob, ...]:
        """The jobs with a static target equal to one of ``addresses`` (host:port, case-insensitive)."""
        wanted = {a.lower() for a in addresses}
        return tuple(job for job in self.jobs if wanted & {t.lower() for t in job.targets})

    @property
    def discovering(self) -> tuple[ScrapeJob, ...]:
        return tuple(job for job in self.jobs if job.discovery)


@dataclass(frozen=True)
class LiveTarget:
    job: str
    instance: str
    scrape_url: str
    health: str  # up | down | unknown
    last_error: str

    @property
    def address(self) -> str:
        """host:port of the scrape URL."""
        url = urlsplit(self.scrape_url)
        return url.netloc.rpartition("@")[2].lower()


@dataclass(frozen=True)
class LiveRule:
    group: str
    file: str
    name: str
    kind: str  # alerting | recording
    health: str  # ok | err | unknown
    last_error: str
    query: str


@dataclass(frozen=True)
class LivePrometheus:
    url: str
    targets: tuple[LiveTarget, ...] = ()
    rules: tuple[LiveRule, ...] = ()
    problem: str | None = None  # why it could not be read

    def targets_at(self, addresses: tuple[str, ...]) -> tuple[LiveTarget, ...]:
        wanted = {a.lower() for a in addresses}
        return tuple(t for t in self.targets if t.address in wanted or t.instance.lower() in wanted)
