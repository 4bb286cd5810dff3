"""A live Prometheus, through its HTTP API: what it scrapes (/api/v1/targets) and its rules (/api/v1/rules).

Every request has a connect and read timeout; an unreachable or strange answer becomes ``problem``,
which the checks report as "could not inspect", not as a finding about the cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from gpu_conformance.facts.prometheus import LivePrometheus, LiveRule, LiveTarget
from gpu_conformance.secret import mask_url_password


def _data(base: str, path: str, timeout: float) -> Mapping[str, Any]:
    """The ``data`` of a Prometheus API answer; ValueError saying what was wrong with it."""
    url = base.rstrip("/") + path
    shown = mask_url_password(url)
    try:
        answer = requests.get(url, timeout=(timeout, timeout))
    except requests.RequestException as exc:
        raise ValueError(f"GET {shown}: {exc}") from None
    try:
        body = answer.json()
    except ValueError:
        raise ValueError(f"GET {shown}: HTTP {answer.status_code}, not a Prometheus API answer "
                         f"(body starts {answer.text[:60]!r})") from None
    answered = isinstance(body, Mapping) and body.get("status") == "success"
    if not answered or not isinstance(body.get("data"), Mapping):
        error = body.get("error") if isinstance(body, Mapping) else None
        raise ValueError(f"GET {shown}: HTTP {answer.status_code}, {error or 'no data in the answer'}")
    data: Mapping[str, Any] = body["data"]
    return data


def _targets(data: Mapping[str, Any]) -> tuple[LiveTarget, ...]:
    found = []
    for target in data.get("activeTargets") or ():
        labels = target.get("labels") or {}
        found.append(LiveTarget(str(labels.get("job", "")), str(labels.get("instance", "")),
                                str(target.get("scrapeUrl", "")), str(target.get("health", "unknown")),
                                str(target.get("lastError", ""))))
    return tuple(found)


def _rules(data: Mapping[str, Any]) -> tuple[LiveRule, ...]:
    return tuple(LiveRule(str(group.get("name", "")), str(group.get("file", "")), str(rule.get("name", "")),
                          str(rule.get("type", "")), str(rule.get("health", "unknown")),
                          str(rule.get("lastError", "")), str(rule.get("query", "")))
                 for group in data.get("groups") or () for rule in group.get("rules") or ())


def read_live(url: str, timeout: float = 10.0) -> LivePrometheus:
    """Targets and rules of the Prometheus at ``url`` (e.g. http://prometheus:9090)."""
    try:
        targets = _targets(_data(url, "/api/v1/targets?state=active", timeout))
        rules = _rules(_data(url, "/api/v1/rules", timeout))
    except ValueError as exc:
        return LivePrometheus(url, problem=str(exc))
    return LivePrometheus(url, targets, rules)
