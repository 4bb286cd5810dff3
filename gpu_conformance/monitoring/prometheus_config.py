"""The scrape jobs of a prometheus.yml and their static targets, read leniently.

promtool judges whether the file loads (MON-PROM-CONFIG-VALID); this reads the targets even from a
file promtool refuses (the tutorial's ``lables:`` typo leaves its targets readable), so both
findings are reported. Targets found by service discovery (kubernetes_sd_configs, file_sd_configs,
...) and relabeling are not resolved: a job using them is named, and a live Prometheus
(--prometheus-url) answers for what it really scrapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from .exporters.targets import exporter_url

_DEFAULT_PORTS = {"http": 80, "https": 443}


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


def _job(raw: Mapping[str, Any]) -> ScrapeJob:
    targets = [str(target) for static in raw.get("static_configs") or () if isinstance(static, Mapping)
               for target in static.get("targets") or ()]
    discovery = tuple(key for key in raw if key.endswith("_sd_configs"))
    return ScrapeJob(str(raw.get("job_name", "")), tuple(targets), discovery,
                     str(raw.get("metrics_path", "/metrics")), str(raw.get("scheme", "http")))


def read_scrape_config(path: str | Path) -> ScrapeConfig:
    name = str(path)
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        return ScrapeConfig(name, problem=f"cannot read: {exc.strerror or exc}")
    except yaml.YAMLError as exc:
        return ScrapeConfig(name, problem=f"not valid YAML: {str(exc).replace(chr(10), ' ')}")
    jobs = data.get("scrape_configs") if isinstance(data, Mapping) else None
    if not isinstance(jobs, list):
        return ScrapeConfig(name, problem="no scrape_configs list")
    return ScrapeConfig(name, tuple(_job(job) for job in jobs if isinstance(job, Mapping)))


def exporter_addresses(url_template: str, ip: str | None, node: str) -> tuple[str, ...]:
    """host:port of the node's exporter (--exporter-url filled in) as a scrape target may name it: by the
    node's IP or by its name; ValueError for a template that cannot be filled in."""
    addresses = []
    for host in (h for h in (ip, node) if h):
        url = urlsplit(exporter_url(url_template, host, node))
        netloc = url.netloc.rpartition("@")[2].lower()
        addresses.append(netloc if url.port else f"{netloc}:{_DEFAULT_PORTS.get(url.scheme, 80)}")
    return tuple(dict.fromkeys(addresses))
