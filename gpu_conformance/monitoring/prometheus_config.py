"""The scrape jobs of a prometheus.yml and their static targets, read leniently.

promtool judges whether the file loads (MON-PROM-CONFIG-VALID); this reads the targets even from a
file promtool refuses (the tutorial's ``lables:`` typo leaves its targets readable), so both
findings are reported. Targets found by service discovery (kubernetes_sd_configs, file_sd_configs,
...) and relabeling are not resolved: a job using them is named, and a live Prometheus
(--prometheus-url) answers for what it really scrapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from gpu_conformance.facts.prometheus import ScrapeConfig, ScrapeJob


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


