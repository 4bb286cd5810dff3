"""Prometheus rule files read for their meaning: each alert, what it reads, what it compares against.

Loading errors are promtool's to judge (RULES-VALID); a file that is not even YAML of rule groups
comes back with ``problem`` set and no rules. Metrics produced by recording rules of the same files
are followed to the metrics those rules read, so an alert's ``metrics`` are what exporters must serve.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from gpu_conformance.facts.rules import AlertRule, RecordingRule, RuleFile

from .promql import analyse

_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_UNIT_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)


def duration_seconds(text: object) -> float:
    """A Prometheus duration (``1m``, ``1h30m``, ``500ms``) in seconds; absent is 0; ValueError otherwise."""
    if text is None:
        return 0.0
    match = _DURATION.match(str(text))
    if match is None or not str(text):
        raise ValueError(f"not a valid duration string: {text!r}")
    return sum(int(part) * unit for part, unit in zip(match.groups(), _UNIT_SECONDS, strict=True) if part)


def _groups(data: Any) -> list[Mapping[str, Any]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("groups"), list):
        raise ValueError("expected a mapping with a list of rule groups under 'groups:'")
    return [g for g in data["groups"] if isinstance(g, Mapping)]


def read_rule_file(path: str | Path) -> RuleFile:
    """The alerts and recording rules of one file, their metrics not yet followed through recordings."""
    name = str(path)
    try:
        groups = _groups(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
        alerts: list[AlertRule] = []
        recordings: list[RecordingRule] = []
        for group in groups:
            group_name = str(group.get("name", ""))
            for rule in group.get("rules") or ():
                if not isinstance(rule, Mapping):
                    continue
                expr = str(rule.get("expr", ""))
                if "record" in rule:
                    recordings.append(RecordingRule(str(rule["record"]), expr, group_name, rule))
                elif "alert" in rule:
                    alerts.append(AlertRule(str(rule["alert"]), expr, name, group_name,
                                            duration_seconds(rule.get("for")),
                                            duration_seconds(rule.get("keep_firing_for")), rule,
                                            analyse(expr).metrics))
    except OSError as exc:
        return RuleFile(name, problem=f"cannot read: {exc.strerror or exc}")
    except (yaml.YAMLError, ValueError) as exc:
        return RuleFile(name, problem=str(exc).replace("\n", " "))
    return RuleFile(name, tuple(alerts), tuple(recordings))


def read_rule_files(paths: Iterable[str | Path]) -> tuple[RuleFile, ...]:
    """Each file's rules, alert metrics followed through the recording rules of all the files."""
    files = [read_rule_file(p) for p in paths]
    recorded = {r.record: r for f in files for r in f.recordings}
    return tuple(RuleFile(f.path, tuple(_followed(a, recorded) for a in f.alerts), f.recordings, f.problem)
                 for f in files)


def _followed(alert: AlertRule, recorded: Mapping[str, RecordingRule]) -> AlertRule:
    metrics: list[str] = []
    pending, seen = list(alert.metrics), set()
    while pending:
        metric = pending.pop(0)
        if metric in seen:
            continue
        seen.add(metric)
        if metric in recorded:
            pending[:0] = analyse(recorded[metric].expr).metrics
        else:
            metrics.append(metric)
    return AlertRule(alert.name, alert.expr, alert.file, alert.group, alert.for_seconds,
                     alert.keep_firing_seconds, alert.source, tuple(metrics))
